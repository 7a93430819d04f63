// Runtime values of the condition language and their rules (reference §2.4–2.8). Shared by the compiled
// predicates and the interpreter, so both agree by construction on everything but control flow.
//
// Static type → JavaScript representation:
//   string    string, or null (a property present with a non-string value), or undefined (missing)
//   number    number; NaN is the undefined number
//   bool      true | false | undefined (three-valued)
//   null      null;  undefined: undefined
//   query     a `$body` value, typed only at run time: see QValue

export type Tri = boolean | undefined;
export type StaticType = 'string' | 'number' | 'bool' | 'null' | 'undefined' | 'query';

/** A `$body` path that found nothing: compares like null, but `is_null` says false (reference §2.11). */
export const MISSING: unique symbol = Symbol('missing path');
/** A null-valued string property seen as a query value: a string that is null. */
export const NULL_STRING: unique symbol = Symbol('null string');

/** The reference's QueryValue: Bool, Double, String, Null, or undefined (ValueType None). */
export type QValue = boolean | number | string | null | typeof MISSING | typeof NULL_STRING | undefined;

export const Cmp = { Eq: 0, Ne: 1, Lt: 2, Le: 3, Gt: 4, Ge: 5 } as const;
export type Cmp = (typeof Cmp)[keyof typeof Cmp];
export const CMP_OF: Readonly<Record<string, Cmp>> = {
  '=': Cmp.Eq,
  '!=': Cmp.Ne,
  '<>': Cmp.Ne,
  '<': Cmp.Lt,
  '<=': Cmp.Le,
  '>': Cmp.Gt,
  '>=': Cmp.Ge,
};

export function strToQ(s: string | null | undefined): QValue {
  return s === null ? NULL_STRING : s;
}
export function numToQ(n: number): QValue {
  return n === n ? n : undefined;
}
export function toQuery(type: StaticType, v: unknown): QValue {
  switch (type) {
    case 'string':
      return strToQ(v as string | null | undefined);
    case 'number':
      return numToQ(v as number);
    case 'bool':
      return v as Tri;
    case 'null':
      return null;
    case 'undefined':
      return undefined;
    case 'query':
      return v as QValue;
  }
}

/** QueryValueType order: Bool < Double < String < Null; 0 is None (undefined). */
function kind(v: QValue): number {
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    case 'string':
      return 3;
    case 'undefined':
      return 0;
    default:
      return v === NULL_STRING ? 3 : 4;
  }
}

/** .NET double.CompareTo: NaN sorts first and equals NaN (only query arithmetic can make a NaN here). */
function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return a !== a ? (b !== b ? 0 : -1) : 1;
}

export function cmpResult(op: Cmp, c: number): boolean {
  switch (op) {
    case Cmp.Eq:
      return c === 0;
    case Cmp.Ne:
      return c !== 0;
    case Cmp.Lt:
      return c < 0;
    case Cmp.Le:
      return c <= 0;
    case Cmp.Gt:
      return c > 0;
    case Cmp.Ge:
      return c >= 0;
  }
}

/** Comparison of query values: undefined if either is; different kinds order by kind (reference §2.6). */
export function cmpQ(op: Cmp, a: QValue, b: QValue): Tri {
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 0 || kb === 0) return undefined;
  if (ka !== kb) return cmpResult(op, ka - kb);
  switch (ka) {
    case 1:
      return cmpResult(op, a === b ? 0 : a === false ? -1 : 1);
    case 2:
      return cmpResult(op, compareNumbers(a as number, b as number));
    case 3: {
      const sa = a === NULL_STRING ? null : (a as string);
      const sb = b === NULL_STRING ? null : (b as string);
      const c = sa === sb ? 0 : sa === null ? -1 : sb === null ? 1 : sa < sb ? -1 : 1;
      return cmpResult(op, c);
    }
    default:
      return cmpResult(op, 0);
  }
}

/** Comparison of two values of one static type other than query. */
export function cmpStatic(type: StaticType, op: Cmp, a: unknown, b: unknown): Tri {
  switch (type) {
    case 'string':
      if (a == null || b == null) return undefined;
      return cmpResult(op, a === b ? 0 : (a as string) < (b as string) ? -1 : 1);
    case 'number':
      if (a !== a || b !== b) return undefined;
      return cmpResult(op, compareNumbers(a as number, b as number));
    case 'bool':
      if (a === undefined || b === undefined) return undefined;
      return cmpResult(op, a === b ? 0 : a === false ? -1 : 1);
    case 'null':
      return op === Cmp.Eq || op === Cmp.Le || op === Cmp.Ge;
    case 'undefined':
      return undefined;
    case 'query':
      return cmpQ(op, a as QValue, b as QValue);
  }
}

// Three-valued logic (reference §2.5): false wins AND, true wins OR, otherwise undefined spreads.
export function and3(a: Tri, b: Tri): Tri {
  return a === false || b === false ? false : a === undefined || b === undefined ? undefined : true;
}
export function or3(a: Tri, b: Tri): Tri {
  return a === true || b === true ? true : a === undefined || b === undefined ? undefined : false;
}
export function not3(a: Tri): Tri {
  return a === undefined ? undefined : !a;
}
// With a `$body` operand both sides are query values, and anything but two booleans is undefined.
export function andQ(a: QValue, b: QValue): Tri {
  return typeof a === 'boolean' && typeof b === 'boolean' ? a && b : undefined;
}
export function orQ(a: QValue, b: QValue): Tri {
  return typeof a === 'boolean' && typeof b === 'boolean' ? a || b : undefined;
}
export function notQ(a: QValue): Tri {
  return typeof a === 'boolean' ? !a : undefined;
}
/** The value of a whole condition: only a true bool routes; null is false, numbers and strings undefined. */
export function toBool(type: StaticType, v: unknown): Tri {
  if (type === 'bool') return v as Tri;
  if (type === 'null') return false;
  if (type === 'query') return typeof v === 'boolean' ? v : undefined;
  return undefined;
}

export function isDefined(type: StaticType, v: unknown): boolean {
  switch (type) {
    case 'number':
      return v === v;
    case 'null':
      return true;
    default:
      return v !== undefined;
  }
}

export type ArithOp = '+' | '-' | '*' | '/' | '%';
export function arith(op: ArithOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
  }
}
/** Arithmetic on query values: numbers only, else undefined; a NaN result stays a (defined) number. */
export function arithQ(op: ArithOp, a: QValue, b: QValue): QValue {
  return typeof a === 'number' && typeof b === 'number' ? arith(op, a, b) : undefined;
}
export function negQ(a: QValue): QValue {
  return typeof a === 'number' ? -a : undefined;
}

/** OrdinalIgnoreCase equality (per UTF-16 unit, upper-case invariant), without allocating for ASCII. */
export function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 128 && y < 128) {
      if ((x | 32) !== (y | 32) || (x | 32) < 97 || (x | 32) > 122) return false;
    } else if (String.fromCharCode(x).toUpperCase() !== String.fromCharCode(y).toUpperCase()) return false;
  }
  return true;
}

/**
 * A property by name, case-insensitively (the reference copies both bags into OrdinalIgnoreCase
 * dictionaries). The exact key is tried first; only a miss walks the keys. Inherited members of the bag
 * (`toString`, `__proto__`) are never found: values are strings or null only.
 */
export function lookup(
  bag: Readonly<Record<string, string | null | undefined>>,
  key: string,
): string | null | undefined {
  const v = bag[key];
  if (typeof v === 'string' || v === null) return v;
  return lookupIgnoringCase(bag, key);
}

/** The slow half of `lookup`: walks the keys. Compiled predicates inline the exact-key half themselves. */
export function lookupIgnoringCase(
  bag: Readonly<Record<string, string | null | undefined>>,
  key: string,
): string | null | undefined {
  for (const k in bag) {
    if (equalsIgnoreCase(k, key) && Object.prototype.hasOwnProperty.call(bag, k)) {
      const w = bag[k];
      if (typeof w === 'string' || w === null) return w;
    }
  }
  return undefined;
}
