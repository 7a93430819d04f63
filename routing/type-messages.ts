// The words of type errors: what is wrong and what to write instead, e.g. for `temperature > 30`:
// "application properties are strings: write as_number(temperature) > 30". They are a user-facing contract.
import type { Binary, Call, Expr, Unary } from './ast.js';
import { BUILTIN_NAMES, signatures, type Builtin } from './builtins/index.js';
import type { Ir } from './ir.js';
import { printExpr } from './print.js';
import type { StaticType } from './values.js';

function describe(t: StaticType): string {
  switch (t) {
    case 'query':
      return 'a $body value';
    case 'null':
    case 'undefined':
      return t;
    case 'bool':
      return 'a bool';
    default:
      return `a ${t}`;
  }
}

/** 'application' or 'system' when `e` reads a property bag (whose values are always strings). */
function bagOf(e: Expr): 'application' | 'system' | undefined {
  if (e.kind === 'property') return 'application';
  if ((e.kind === 'dollar' || e.kind === 'escaped') && !/^\$body\./i.test(e.name)) return 'system';
  return undefined;
}

function asNumber(e: Expr): Expr {
  return { kind: 'call', name: 'as_number', nameSpan: e.span, args: [e], span: e.span };
}

/** `e` with `side` replaced by `as_number(side)`, printed: the fix for a string property used as a number. */
function withAsNumber(e: Binary | Unary, side: Expr): string {
  if (e.kind === 'unary') return printExpr({ ...e, operand: asNumber(side) });
  return printExpr(side === e.left ? { ...e, left: asNumber(side) } : { ...e, right: asNumber(side) });
}

function stringsHint(e: Binary | Unary, side: Expr): string | undefined {
  const bag = bagOf(side);
  return bag === undefined ? undefined : `${bag} properties are strings: write ${withAsNumber(e, side)}`;
}

export function badComparison(e: Binary, l: StaticType, r: StaticType): string {
  const left = printExpr(e.left);
  const right = printExpr(e.right);
  if (e.op === '??') {
    return `'??' needs both sides of the same type: ${left} is ${describe(l)}, ${right} is ${describe(r)}`;
  }
  const equality = e.op === '=' || e.op === '!=' || e.op === '<>';
  const negated = e.op !== '=';
  const [str, other, otherType] = l === 'string' ? [e.left, e.right, r] : r === 'string' ? [e.right, e.left, l] : [];
  if (str && other) {
    const s = printExpr(str);
    if (otherType === 'number') {
      return stringsHint(e, str) ?? `${s} is a string and ${printExpr(other)} a number: convert with as_number(${s})`;
    }
    if (otherType === 'null' && equality) {
      return `${s} is a string, never the null literal: write ${negated ? 'NOT ' : ''}is_null(${s})`;
    }
    if (otherType === 'bool' && other.kind === 'bool' && equality && bagOf(str)) {
      return `${bagOf(str)!} properties are strings: write ${s} ${e.op} '${String(other.value)}'`;
    }
  }
  if ((l === 'undefined' || r === 'undefined') && equality) {
    const defined = l === 'undefined' ? right : left;
    return `nothing compares to undefined: write ${negated ? '' : 'NOT '}is_defined(${defined})`;
  }
  return `cannot compare ${describe(l)} (${left}) with ${describe(r)} (${right}): both sides need the same type`;
}

export function badOperand(e: Binary | Unary, operand: Expr, type: StaticType): string {
  const text = printExpr(operand);
  if (e.kind === 'binary' && e.op === '||') {
    return `'||' joins strings, and ${text} is ${describe(type)}${type === 'null' ? " (write '' for an empty string)" : ''}`;
  }
  if (type === 'string') {
    const hint = stringsHint(e, operand);
    if (hint !== undefined) return hint;
    if (e.kind === 'binary' && e.op === '+' && e.left.kind !== 'number' && e.right.kind !== 'number') {
      return `'+' adds numbers; to join strings write ${printExpr(e.left)} || ${printExpr(e.right)}`;
    }
  }
  const op = e.kind === 'unary' ? "unary '-'" : `'${e.op}'`;
  return `${op} needs numbers, and ${text} is ${describe(type)}`;
}

export function badLogic(e: Binary | Unary, operand: Expr, type: StaticType): string {
  const op = e.kind === 'unary' ? 'NOT' : e.op.toUpperCase();
  const text = printExpr(operand);
  if (type === 'undefined')
    return `${op} needs a condition, and undefined is not one (write is_defined(…) to test a value)`;
  const example = type === 'string' ? `${text} = 'true'` : type === 'number' ? `${text} > 0` : `is_defined(${text})`;
  return `${op} combines conditions (true or false), and ${text} is ${describe(type)}: compare it, as in ${example}`;
}

export function badArguments(b: Builtin, e: Call, args: readonly Ir[]): string {
  const given = `${e.name}(${args.map((a) => (a.type === 'query' ? '$body value' : a.type)).join(', ')})`;
  let hint = '';
  const wantsNumber = b.overloads.some((o) => o.params.includes('number'));
  const prop = e.args.find((a, i) => args[i]!.type === 'string' && bagOf(a) !== undefined);
  if (wantsNumber && prop) hint = `; ${bagOf(prop)!} properties are strings: wrap ${printExpr(prop)} in as_number()`;
  return `${b.name} takes ${signatures(b)}, not ${given}${hint}`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

export function unknownFunction(name: string): string {
  const lower = name.toLowerCase();
  const best = BUILTIN_NAMES.map((n) => [n, distance(lower, n)] as const).sort((x, y) => x[1] - y[1])[0];
  if (best && best[1] <= 2) return `unknown function '${name}'; did you mean ${best[0]}?`;
  return `unknown function '${name}'; the edge router has ${[...BUILTIN_NAMES].sort().join(', ')}`;
}
