// Condition tree → text that parses back to the same tree: minimal parentheses, spaces around operators
// (so `a - -3` never glues into one name), canonical literals. Used for messages and round-trip tests.
import { PRECEDENCE, precedenceOf, UNARY_PRECEDENCE, type Expr } from './ast.js';
import type { Sink } from './statement.js';

function printNumber(v: number): string {
  if (v === Infinity) return '1e999';
  if (v === -Infinity) return '-1e999';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function printString(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return printNumber(e.value);
    case 'string':
      return printString(e.value);
    case 'bool':
      return String(e.value);
    case 'null':
    case 'undefined':
      return e.kind;
    case 'property':
    case 'dollar':
      return e.name;
    case 'escaped':
      return `{${e.name}}`;
    case 'call':
      return `${e.name}(${e.args.map(printExpr).join(', ')})`;
    case 'unary': {
      const inner = printExpr(e.operand);
      const operand = precedenceOf(e.operand) < UNARY_PRECEDENCE ? `(${inner})` : inner;
      return `${e.op === 'not' ? 'NOT' : '-'} ${operand}`;
    }
    case 'binary': {
      const p = PRECEDENCE[e.op];
      const left = precedenceOf(e.left) < p ? `(${printExpr(e.left)})` : printExpr(e.left);
      const right = precedenceOf(e.right) <= p ? `(${printExpr(e.right)})` : printExpr(e.right);
      const op = e.op === 'and' || e.op === 'or' ? e.op.toUpperCase() : e.op;
      return `${left} ${op} ${right}`;
    }
  }
}

/** A route statement as text: `FROM <source> [WHERE <condition>] INTO <sink>`. */
export function printRoute(route: {
  readonly source: { readonly text: string };
  readonly condition?: { readonly expr: Expr };
  readonly sink: Sink;
}): string {
  const where = route.condition === undefined ? '' : ` WHERE ${printExpr(route.condition.expr)}`;
  const sink =
    route.sink.kind === 'upstream'
      ? '$upstream'
      : `BrokeredEndpoint("/modules/${route.sink.moduleId}/inputs/${route.sink.input}")`;
  const rest = `${where} INTO ${sink}`;
  // `/* … */` is a comment to the lexer (as in the reference), so a source ending in `/*` followed later by a
  // `*/` (in a string of the condition) would swallow the text between; `/ *` is the same source.
  const text = route.source.text;
  const source = text.endsWith('/*') && rest.includes('*/') ? `${text.slice(0, -1)} *` : text;
  return `FROM ${source}${rest}`;
}
