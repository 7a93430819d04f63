// Static typing (reference §2.4): application and system properties are strings, `$body` values are typed at
// run time (query), and operands must agree, or the route does not compile. Builds the typed IR.
import type { Binary, Call, Expr, Unary } from './ast.js';
import { parseBodyPath } from './body.js';
import { findBuiltin, resolveOverload, unsupportedReason } from './builtins/index.js';
import type { Finding, RouteErrorCode, TextSpan } from './errors.js';
import type { Ir } from './ir.js';
import { badArguments, badComparison, badLogic, badOperand, unknownFunction } from './type-messages.js';
import { CMP_OF, toQuery, type ArithOp, type StaticType } from './values.js';

/** Internal control flow of the checker: caught by `typecheck`, never escapes the module. */
class CheckFailure extends Error {
  constructor(readonly finding: Finding) {
    super(finding.detail);
  }
}
function fail(code: RouteErrorCode, span: TextSpan, detail: string): never {
  throw new CheckFailure({ code, phase: 'compile', span, detail });
}

/** The typed IR of a condition, or the first type error. No condition (an empty text) is undefined. */
export function typecheck(e: Expr | undefined): { ok: true; ir: Ir } | { ok: false; finding: Finding } {
  if (e === undefined) return { ok: true, ir: { op: 'const', type: 'undefined', value: undefined } };
  try {
    return { ok: true, ir: check(e) };
  } catch (err) {
    if (err instanceof CheckFailure) return { ok: false, finding: err.finding };
    throw err;
  }
}

const QUERY_COMPATIBLE: ReadonlySet<StaticType> = new Set(['string', 'number', 'bool', 'null', 'query']);

/** Same type, or a `$body` value against a string, number, bool or null (compared at run time). */
export function compatible(a: StaticType, b: StaticType): boolean {
  return a === b || (a === 'query' && QUERY_COMPATIBLE.has(b)) || (b === 'query' && QUERY_COMPATIBLE.has(a));
}

function toQ(ir: Ir): Ir {
  if (ir.type === 'query') return ir;
  if (ir.op === 'const') return { op: 'const', type: 'query', value: toQuery(ir.type, ir.value) };
  return { op: 'toQuery', type: 'query', from: ir.type, arg: ir };
}

function check(e: Expr): Ir {
  switch (e.kind) {
    case 'number':
    case 'string':
    case 'bool':
      return { op: 'const', type: e.kind, value: e.value };
    case 'null':
      return { op: 'const', type: 'null', value: null };
    case 'undefined':
      return { op: 'const', type: 'undefined', value: undefined };
    case 'property':
      return { op: 'prop', type: 'string', bag: 'app', key: e.name };
    case 'dollar':
    case 'escaped':
      return dollar(e.name, e.span, e.kind === 'escaped');
    case 'call':
      return call(e);
    case 'unary':
      return unary(e);
    case 'binary':
      return binary(e);
  }
}

function dollar(name: string, span: TextSpan, escaped: boolean): Ir {
  if (/^\$body\./i.test(name)) {
    const parsed = parseBodyPath(name.slice('$body.'.length));
    if (!parsed.ok) fail('EH_ROUTE_BODY', span, parsed.detail);
    // Names with brackets cannot be application properties, so they go straight to the body (reference).
    if (escaped || /[[\]]/.test(name)) return { op: 'body', type: 'query', path: parsed.path };
    return { op: 'appOrBody', type: 'query', app: name, path: parsed.path };
  }
  if (name.toLowerCase() === '$body')
    fail('EH_ROUTE_BODY', span, '$body alone is not a value: query a field, as in $body.temperature');
  if (/[[\]]/.test(name)) {
    fail(
      'EH_ROUTE_PROPERTY',
      span,
      `'${name}' is not a property name: '[' and ']' only work in $body paths such as $body.values[0]`,
    );
  }
  if (escaped) return { op: 'prop', type: 'string', bag: 'sys', key: name.slice(1) };
  return { op: 'appOrSys', type: 'string', app: name, sys: name.slice(1) };
}

function call(e: Call): Ir {
  const reason = unsupportedReason(e.name);
  if (reason !== undefined) fail('EH_ROUTE_FUNCTION', e.nameSpan, reason);
  const b = findBuiltin(e.name);
  if (b === undefined) return fail('EH_ROUTE_FUNCTION', e.nameSpan, unknownFunction(e.name));
  const args = e.args.map(check);
  const o = resolveOverload(
    b,
    args.map((a) => a.type),
  );
  if (o === undefined) return fail('EH_ROUTE_FUNCTION', e.span, badArguments(b, e, args));
  return { op: 'call', type: o.result, name: b.name, fn: o, args: o.query ? args.map(toQ) : args };
}

function unary(e: Unary): Ir {
  const arg = check(e.operand);
  if (e.op === '-') {
    if (arg.type === 'number' || arg.type === 'query') return { op: 'neg', type: arg.type, arg };
    return fail('EH_ROUTE_TYPE', e.opSpan, badOperand(e, e.operand, arg.type));
  }
  if (arg.type === 'null') return { op: 'const', type: 'bool', value: true }; // NOT null is true
  if (arg.type === 'bool' || arg.type === 'query')
    return { op: 'not', type: 'bool', mode: arg.type === 'bool' ? 'tri' : 'query', arg };
  return fail('EH_ROUTE_TYPE', e.opSpan, badLogic(e, e.operand, arg.type));
}

function binary(e: Binary): Ir {
  const left = check(e.left);
  const right = check(e.right);
  const l = left.type;
  const r = right.type;
  switch (e.op) {
    case '*':
    case '/':
    case '%':
    case '+':
    case '-': {
      const bad = l !== 'number' && l !== 'query' ? e.left : r !== 'number' && r !== 'query' ? e.right : undefined;
      if (bad) return fail('EH_ROUTE_TYPE', bad.span, badOperand(e, bad, bad === e.left ? l : r));
      const arith: ArithOp = e.op;
      if (l === 'query' || r === 'query')
        return { op: 'arith', type: 'query', arith, left: toQ(left), right: toQ(right) };
      return { op: 'arith', type: 'number', arith, left, right };
    }
    case '||': {
      const bad = l !== 'string' && l !== 'query' ? e.left : r !== 'string' && r !== 'query' ? e.right : undefined;
      if (bad) return fail('EH_ROUTE_TYPE', bad.span, badOperand(e, bad, bad === e.left ? l : r));
      const concat = findBuiltin('concat')!;
      return { op: 'call', type: 'string', name: concat.name, fn: concat.overloads[0]!, args: [toQ(left), toQ(right)] };
    }
    case 'and':
    case 'or':
      return logic(e, left, right);
    case '??':
      if (!compatible(l, r)) return fail('EH_ROUTE_TYPE', e.opSpan, badComparison(e, l, r));
      if (l === 'undefined') return right;
      if (l === 'query' || r === 'query') return { op: 'coalesce', type: 'query', left: toQ(left), right: toQ(right) };
      return { op: 'coalesce', type: l, left, right };
    default: {
      if (!compatible(l, r)) {
        const span =
          l === 'string' && r !== 'string' ? e.left.span : r === 'string' && l !== 'string' ? e.right.span : e.opSpan;
        return fail('EH_ROUTE_TYPE', span, badComparison(e, l, r));
      }
      const cmp = CMP_OF[e.op]!;
      if (l === r) return { op: 'cmp', type: 'bool', operand: l, cmp, left, right };
      return { op: 'cmp', type: 'bool', operand: 'query', cmp, left: toQ(left), right: toQ(right) };
    }
  }
}

const LOGICAL: ReadonlySet<StaticType> = new Set(['bool', 'null', 'undefined', 'query']);

/**
 * AND/OR take bools, null, undefined or `$body` values (reference §2.5). With a `$body` side both are query
 * values; `null AND x` is null; `null OR x` is x; `null OR null` is null. The reference accepts a `$body`
 * value on the right only when the left is one too (a slip in its check); edgehub accepts either side.
 */
function logic(e: Binary, left: Ir, right: Ir): Ir {
  const op = e.op === 'and' ? 'and' : 'or';
  for (const [side, ir] of [
    [e.left, left],
    [e.right, right],
  ] as const) {
    if (!LOGICAL.has(ir.type)) fail('EH_ROUTE_TYPE', side.span, badLogic(e, side, ir.type));
  }
  if (left.type === 'query' || right.type === 'query') {
    return { op, type: 'bool', mode: 'query', left: toQ(left), right: toQ(right) };
  }
  const FALSE: Ir = { op: 'const', type: 'bool', value: false };
  if (op === 'and' && (left.type === 'null' || right.type === 'null'))
    return { op, type: 'null', mode: 'null', left, right };
  if (op === 'or' && left.type === 'null' && right.type === 'null')
    return { op, type: 'null', mode: 'null', left, right };
  if (op === 'or' && left.type === 'null') return { op, type: 'bool', mode: 'tri', left: FALSE, right };
  if (op === 'or' && right.type === 'null') return { op, type: 'bool', mode: 'tri', left, right: FALSE };
  return { op, type: 'bool', mode: 'tri', left, right };
}
