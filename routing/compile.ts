// Typed IR → a JavaScript predicate, generated as source and built with `new Function` once per route.
// Generated code beats a tree of closures here: V8 inlines the small helpers of values.ts, property names
// and literals become constants, and AND/OR skip their right side when the left decides (every operand is
// pure, so this changes nothing but speed, and a `$body` behind a false AND is never parsed).
// Only constants reach the source text: strings through JSON.stringify, everything else through `K`.
import { queryBody, type BodyContext } from './body.js';
import type { Ir } from './ir.js';
import type { RoutableMessage } from './message.js';
import {
  and3,
  andQ,
  arithQ,
  Cmp,
  cmpQ,
  lookup,
  negQ,
  not3,
  notQ,
  numToQ,
  or3,
  orQ,
  strToQ,
  type StaticType,
  type Tri,
} from './values.js';

/** A compiled condition: true routes the message; false and undefined do not. */
export type Predicate = (message: RoutableMessage, body: BodyContext) => Tri;

const RUNTIME = { lookup, queryBody, strToQ, numToQ, cmpQ, and3, or3, not3, andQ, orQ, notQ, arithQ, negQ };

const JS_CMP: Readonly<Record<Cmp, string>> = {
  [Cmp.Eq]: '===',
  [Cmp.Ne]: '!==',
  [Cmp.Lt]: '<',
  [Cmp.Le]: '<=',
  [Cmp.Gt]: '>',
  [Cmp.Ge]: '>=',
};

function literal(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v); // NaN and ±Infinity print as globals
  return JSON.stringify(v);
}

class Generator {
  readonly constants: unknown[] = [];
  private temps = 0;

  temp(): string {
    return `t${this.temps++}`;
  }
  tempNames(): string[] {
    return Array.from({ length: this.temps }, (_, i) => `t${i}`);
  }
  constant(v: unknown): string {
    let i = this.constants.indexOf(v);
    if (i === -1) i = this.constants.push(v) - 1;
    return `k${i}`;
  }

  /** A JS expression for `ir`, evaluating to its static type's representation (values.ts). */
  expr(ir: Ir): string {
    switch (ir.op) {
      case 'const':
        return literal(ir.value);
      case 'prop':
        return `lookup(${ir.bag === 'app' ? 'P' : 'S'}, ${JSON.stringify(ir.key)})`;
      case 'appOrSys': {
        const t = this.temp();
        return `((${t} = lookup(P, ${JSON.stringify(ir.app)})) !== undefined ? ${t} : lookup(S, ${JSON.stringify(ir.sys)}))`;
      }
      case 'body':
        return `queryBody(c, ${this.constant(ir.path)})`;
      case 'appOrBody': {
        const t = this.temp();
        return `((${t} = lookup(P, ${JSON.stringify(ir.app)})) !== undefined ? strToQ(${t}) : queryBody(c, ${this.constant(ir.path)}))`;
      }
      case 'toQuery':
        return this.toQuery(ir.from, this.expr(ir.arg));
      case 'neg':
        return ir.type === 'number' ? `(-(${this.expr(ir.arg)}))` : `negQ(${this.expr(ir.arg)})`;
      case 'arith': {
        const [l, r] = [this.expr(ir.left), this.expr(ir.right)];
        return ir.type === 'number' ? `(${l} ${ir.arith} ${r})` : `arithQ(${JSON.stringify(ir.arith)}, ${l}, ${r})`;
      }
      case 'cmp':
        return this.compare(ir.operand, ir.cmp, ir.left, ir.right);
      case 'and':
      case 'or':
        return this.logic(ir.op, ir.mode, ir.left, ir.right);
      case 'not':
        return `${ir.mode === 'tri' ? 'not3' : 'notQ'}(${this.expr(ir.arg)})`;
      case 'coalesce': {
        const t = this.temp();
        const l = this.expr(ir.left);
        if (ir.type === 'null') return l;
        const defined = ir.type === 'number' ? `${t} === ${t}` : `${t} !== undefined`;
        return `((${t} = ${l}), ${defined} ? ${t} : ${this.expr(ir.right)})`;
      }
      case 'call':
        return `${this.constant(ir.fn.run)}(${ir.args.map((a) => this.expr(a)).join(', ')})`;
    }
  }

  private toQuery(from: StaticType, x: string): string {
    switch (from) {
      case 'string':
        return `strToQ(${x})`;
      case 'number':
        return `numToQ(${x})`;
      case 'null':
        return 'null';
      case 'undefined':
        return 'undefined';
      default:
        return x;
    }
  }

  /** Comparisons inline: a missing string, a NaN or an undefined bool makes them undefined (reference §2.6). */
  private compare(type: StaticType, cmp: Cmp, left: Ir, right: Ir): string {
    if (type === 'null') return cmp === Cmp.Eq || cmp === Cmp.Le || cmp === Cmp.Ge ? 'true' : 'false';
    if (type === 'undefined') return 'undefined';
    const [l, r] = [this.expr(left), this.expr(right)];
    if (type === 'query') return `cmpQ(${cmp}, ${l}, ${r})`;
    const op = JS_CMP[cmp];
    const a = this.temp();
    const undef = (x: string): string =>
      type === 'string' ? `${x} == null` : type === 'number' ? `${x} !== ${x}` : `${x} === undefined`;
    if (right.op === 'const' && right.value !== undefined && right.value === right.value) {
      return `((${a} = ${l}), ${undef(a)} ? undefined : ${a} ${op} ${r})`;
    }
    const b = this.temp();
    return `((${a} = ${l}), ${undef(a)} || ((${b} = ${r}), ${undef(b)}) ? undefined : ${a} ${op} ${b})`;
  }

  private logic(op: 'and' | 'or', mode: 'tri' | 'query' | 'null', left: Ir, right: Ir): string {
    if (mode === 'null') return 'null';
    const [l, r] = [this.expr(left), this.expr(right)];
    if (mode === 'query') return `${op === 'and' ? 'andQ' : 'orQ'}(${l}, ${r})`;
    const t = this.temp();
    const decided = op === 'and' ? 'false' : 'true';
    return `((${t} = ${l}) === ${decided} ? ${decided} : ${op === 'and' ? 'and3' : 'or3'}(${t}, ${r}))`;
  }

  /** The whole condition as a three-valued bool: only a true bool routes (RouteCompiler's final conversion). */
  condition(ir: Ir): string {
    switch (ir.type) {
      case 'bool':
        return this.expr(ir);
      case 'null':
        return 'false';
      case 'query': {
        const t = this.temp();
        return `((${t} = ${this.expr(ir)}), typeof ${t} === "boolean" ? ${t} : undefined)`;
      }
      default:
        return 'undefined';
    }
  }
}

/** The generated source, for tests and for reading what a route compiles to. */
export function predicateSource(ir: Ir): { source: string; constants: unknown[] } {
  const g = new Generator();
  const body = g.condition(ir);
  const temps = g.tempNames();
  const helpers = Object.keys(RUNTIME).map((k) => `${k} = rt.${k}`);
  const consts = g.constants.map((_, i) => `k${i} = K[${i}]`);
  const source = [
    '"use strict";',
    `const ${[...helpers, ...consts].join(', ')};`,
    'return function condition(m, c) {',
    '  const P = m.properties, S = m.systemProperties;',
    temps.length > 0 ? `  let ${temps.join(', ')};` : '',
    `  return ${body};`,
    '};',
  ].join('\n');
  return { source, constants: g.constants };
}

export function compilePredicate(ir: Ir): Predicate {
  const { source, constants } = predicateSource(ir);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the source holds only generated code and JSON literals
  const build = new Function('rt', 'K', source) as (rt: typeof RUNTIME, k: unknown[]) => Predicate;
  return build(RUNTIME, constants);
}
