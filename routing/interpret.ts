// A plain tree-walking evaluator of the typed IR: the yardstick the compiled predicates are checked against
// (property tests) and measured against (bench/routing). It evaluates both sides of every operator, as the
// reference does; the hub itself never uses it.
import { queryBody } from './body.js';
import type { EvalContext } from './context.js';
import type { Predicate } from './compile.js';
import type { Ir } from './ir.js';
import type { RoutableMessage } from './message.js';
import {
  and3,
  andQ,
  arith,
  arithQ,
  cmpStatic,
  isDefined,
  lookup,
  negQ,
  not3,
  notQ,
  or3,
  orQ,
  strToQ,
  toBool,
  toQuery,
  type QValue,
  type Tri,
} from './values.js';

export function evaluate(ir: Ir, m: RoutableMessage, c: EvalContext): unknown {
  switch (ir.op) {
    case 'const':
      return ir.value;
    case 'prop':
      return lookup(ir.bag === 'app' ? m.properties : m.systemProperties, ir.key);
    case 'appOrSys': {
      const v = lookup(m.properties, ir.app);
      return v !== undefined ? v : lookup(m.systemProperties, ir.sys);
    }
    case 'body':
      return queryBody(c, ir.path);
    case 'appOrBody': {
      const v = lookup(m.properties, ir.app);
      return v !== undefined ? strToQ(v) : queryBody(c, ir.path);
    }
    case 'toQuery':
      return toQuery(ir.from, evaluate(ir.arg, m, c));
    case 'neg': {
      const v = evaluate(ir.arg, m, c);
      return ir.type === 'number' ? -(v as number) : negQ(v as QValue);
    }
    case 'arith': {
      const l = evaluate(ir.left, m, c);
      const r = evaluate(ir.right, m, c);
      return ir.type === 'number'
        ? arith(ir.arith, l as number, r as number)
        : arithQ(ir.arith, l as QValue, r as QValue);
    }
    case 'cmp':
      return cmpStatic(ir.operand, ir.cmp, evaluate(ir.left, m, c), evaluate(ir.right, m, c));
    case 'and':
    case 'or': {
      const l = evaluate(ir.left, m, c);
      const r = evaluate(ir.right, m, c);
      if (ir.mode === 'null') return null;
      if (ir.mode === 'query') return ir.op === 'and' ? andQ(l as QValue, r as QValue) : orQ(l as QValue, r as QValue);
      return ir.op === 'and' ? and3(l as Tri, r as Tri) : or3(l as Tri, r as Tri);
    }
    case 'not': {
      const v = evaluate(ir.arg, m, c);
      return ir.mode === 'tri' ? not3(v as Tri) : notQ(v as QValue);
    }
    case 'coalesce': {
      const l = evaluate(ir.left, m, c);
      const r = evaluate(ir.right, m, c);
      return isDefined(ir.type, l) ? l : r;
    }
    case 'call':
      return ir.fn.run(...ir.args.map((a) => evaluate(a, m, c)));
  }
}

/** The interpreted counterpart of compilePredicate. */
export function interpretedPredicate(ir: Ir): Predicate {
  return (m, c) => toBool(ir.type, evaluate(ir, m, c));
}
