// Property tests: (1) printing a tree and parsing the text gives the same tree; (2) for well-typed generated
// conditions and random messages, the compiled predicate and the interpreter give the same three-valued result.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stripSpans, type BinaryOp, type Expr } from './ast.js';
import { compileCondition, RouteTable, type RoutableMessage } from './index.js';
import { parseCondition } from './parser.js';
import { printExpr, printRoute } from './print.js';
import { parseRoute, type Sink } from './statement.js';
import { encodeText } from './vector-case.js';

const span = { offset: 0, length: 0 };
const NAMES = ['a', 'b', 'Temp', 'key1', 'n', 'x_y', 'é'];
const SYS = ['$sys1', '$connectionModuleId', '$outputName'];
const PATHS = ['$body.t', '$body.s', '$body.b', '$body.z', '$body.o.p', '$body.arr[0]', '$body.missing'];

const name = fc.constantFrom(...NAMES);
const num = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, 0.5, 1e21, Infinity),
);
const str = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("it's", 'a\\b', '"q"', 'x', '3', ''));

const lit = {
  number: num.map((value): Expr => ({ kind: 'number', value, span })),
  string: str.map((value): Expr => ({ kind: 'string', value, span })),
  bool: fc.boolean().map((value): Expr => ({ kind: 'bool', value, span })),
  null: fc.constant<Expr>({ kind: 'null', span }),
  undefined: fc.constant<Expr>({ kind: 'undefined', span }),
};
const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', name: fn, nameSpan: span, args, span });
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, opSpan: span, left, right, span });
const un = (op: '-' | 'not', operand: Expr): Expr => ({ kind: 'unary', op, opSpan: span, operand, span });

// ---- (1) any tree, typed or not, round-trips through the printer ----

const anyExpr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    lit.number,
    lit.string,
    lit.bool,
    lit.null,
    lit.undefined,
    name.map((n): Expr => ({ kind: 'property', name: n, span })),
    fc.constantFrom(...SYS, ...PATHS).map((n): Expr => ({ kind: 'dollar', name: n, span })),
    fc.constantFrom(...SYS, ...PATHS).map((n): Expr => ({ kind: 'escaped', name: n, span })),
    fc.tuple(name, fc.array(tie('e'), { maxLength: 3 })).map(([n, args]) => call(n, ...args)),
    fc.tuple(fc.constantFrom<'-' | 'not'>('-', 'not'), tie('e')).map(([op, e]) => un(op, e)),
    fc
      .tuple(
        fc.constantFrom<BinaryOp>(
          '*',
          '/',
          '%',
          '+',
          '-',
          '||',
          '<',
          '<=',
          '>',
          '>=',
          '=',
          '!=',
          '<>',
          'and',
          'or',
          '??',
        ),
        tie('e'),
        tie('e'),
      )
      .map(([op, l, r]) => bin(op, l, r)),
  ),
})).e;

describe('printer', () => {
  it('prints every tree as text that parses back to the same tree', () => {
    fc.assert(
      fc.property(anyExpr, (e) => {
        const text = printExpr(e);
        const parsed = parseCondition(text);
        assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.finding.detail}`);
        assert.ok(parsed.value !== undefined);
        assert.deepEqual(stripSpans(parsed.value), stripSpans(e), text);
      }),
      { numRuns: 500 },
    );
  });
});

const routeParts = fc.record({
  source: fc.constantFrom(
    '/*',
    '/messages/*',
    '/messages/modules/m1/*',
    '/messages/modules/m1/outputs/*',
    '/messages/modules/Filter/outputs/out1',
    '/twinChangeNotifications',
  ),
  condition: fc.option(anyExpr, { nil: undefined }),
  sink: fc.oneof(
    fc.constant({ kind: 'upstream' as const }),
    fc
      .tuple(fc.constantFrom('filter', 'Alert-Logic', 'm.2'), fc.constantFrom('in1', 'input'))
      .map(([moduleId, input]) => ({ kind: 'module' as const, moduleId, input })),
  ),
});

describe('route printer', () => {
  it('prints every route as text that parses back to the same source, condition and sink', () => {
    fc.assert(
      fc.property(routeParts, ({ source, condition, sink }) => {
        const text = printRoute({
          source: { text: source },
          ...(condition ? { condition: { expr: condition } } : {}),
          sink,
        });
        const parsed = parseRoute(text);
        assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.finding.detail}`);
        assert.equal(parsed.value.source.text, source);
        assert.deepEqual(parsed.value.sink, sink);
        assert.deepEqual(
          parsed.value.condition && stripSpans(parsed.value.condition.expr),
          condition && stripSpans(condition),
          text,
        );
        assert.equal(printRoute(parsed.value), text);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- (2) well-typed conditions: compiled === interpreted ----

type T = 'string' | 'number' | 'bool' | 'query';
const memo = new Map<string, fc.Arbitrary<Expr>>();

function typed(t: T, depth: number): fc.Arbitrary<Expr> {
  const key = `${t}${depth}`;
  let a = memo.get(key);
  if (a === undefined) {
    a =
      depth === 0
        ? leaf(t)
        : fc.oneof(
            { weight: 2, arbitrary: leaf(t) },
            ...composite(t, depth - 1).map((arbitrary) => ({ weight: 1, arbitrary })),
          );
    memo.set(key, a);
  }
  return a;
}

function leaf(t: T): fc.Arbitrary<Expr> {
  switch (t) {
    case 'string':
      return fc.oneof(
        lit.string,
        name.map((n): Expr => ({ kind: 'property', name: n, span })),
        fc.constantFrom(...SYS).map((n): Expr => ({ kind: 'dollar', name: n, span })),
      );
    case 'number':
      return lit.number;
    case 'bool':
      return lit.bool;
    case 'query':
      return fc.constantFrom(...PATHS).map((n): Expr => ({ kind: 'dollar', name: n, span }));
  }
}

function composite(t: T, d: number): fc.Arbitrary<Expr>[] {
  const s = typed('string', d);
  const n = typed('number', d);
  const b = typed('bool', d);
  const q = typed('query', d);
  const numeric = fc.oneof(n, q);
  const text = fc.oneof(s, q);
  switch (t) {
    case 'string':
      return [
        fc.tuple(text, text).map(([l, r]) => bin('||', l, r)),
        fc.tuple(fc.constantFrom('lower', 'upper'), text).map(([f, x]) => call(f, x)),
        fc.tuple(text, numeric).map(([x, i]) => call('substring', x, i)),
        fc.tuple(text, numeric, numeric).map(([x, i, l]) => call('substring', x, i, l)),
        fc.tuple(text, text, text).map(([x, y, z]) => call('concat', x, y, z)),
        fc.tuple(s, s).map(([l, r]) => bin('??', l, r)),
      ];
    case 'number':
      return [
        fc.tuple(fc.constantFrom<BinaryOp>('+', '-', '*', '/', '%'), n, n).map(([op, l, r]) => bin(op, l, r)),
        text.map((x) => call('as_number', x)),
        fc
          .tuple(fc.constantFrom('abs', 'exp', 'square', 'ceiling', 'floor', 'sign', 'sqrt'), numeric)
          .map(([f, x]) => call(f, x)),
        fc.tuple(numeric, numeric).map(([x, y]) => call('power', x, y)),
        text.map((x) => call('length', x)),
        fc.tuple(text, text).map(([x, y]) => call('index_of', x, y)),
        n.map((x) => un('-', x)),
        fc.tuple(n, n).map(([l, r]) => bin('??', l, r)),
      ];
    case 'query':
      return [
        fc.tuple(fc.constantFrom<BinaryOp>('+', '-', '*', '/', '%'), q, numeric).map(([op, l, r]) => bin(op, l, r)),
        q.map((x) => un('-', x)),
        fc.tuple(q, fc.oneof(q, s, n, b)).map(([l, r]) => bin('??', l, r)),
      ];
    case 'bool': {
      const cmp = fc.constantFrom<BinaryOp>('<', '<=', '>', '>=', '=', '!=', '<>');
      // `null AND x` is null-typed: AND takes no null here; OR takes one (null OR x is x).
      const defined = fc.oneof(b, q);
      return [
        fc
          .tuple(
            cmp,
            fc.oneof(
              fc.tuple(s, s),
              fc.tuple(n, n),
              fc.tuple(b, b),
              fc.tuple(q, fc.oneof(q, s, n, b, lit.null)),
              fc.tuple(fc.oneof(s, n, b), q),
            ),
          )
          .map(([op, [l, r]]) => bin(op, l, r)),
        fc
          .tuple(cmp, fc.oneof(fc.tuple(lit.null, lit.null), fc.tuple(lit.undefined, lit.undefined)))
          .map(([op, [l, r]]) => bin(op, l, r)),
        fc.tuple(fc.oneof(defined, lit.undefined), fc.oneof(defined, lit.undefined)).map(([l, r]) => bin('and', l, r)),
        fc
          .tuple(defined, fc.oneof(defined, lit.null, lit.undefined), fc.boolean())
          .map(([l, r, swap]) => (swap ? bin('or', r, l) : bin('or', l, r))),
        fc.oneof(b, q, lit.null).map((x) => un('not', x)),
        fc
          .tuple(
            fc.constantFrom('is_bool', 'is_defined', 'is_null', 'is_number', 'is_string'),
            fc.oneof(s, n, b, q, lit.null, lit.undefined),
          )
          .map(([f, x]) => call(f, x)),
        fc.tuple(fc.constantFrom('starts_with', 'ends_with', 'contains'), text, text).map(([f, x, y]) => call(f, x, y)),
        fc.tuple(b, b).map(([l, r]) => bin('??', l, r)),
      ];
    }
  }
}

const value = fc.oneof(
  fc.constantFrom('x', 'abc', '3', '-2.5', '1e3', '', ' 7 ', null, undefined),
  fc.string({ maxLength: 4 }),
);
const jsonLeaf = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant('2017-03-09T00:00:00Z'),
);
const json = fc.oneof(
  jsonLeaf,
  fc.dictionary(fc.constantFrom('p', 'q'), jsonLeaf),
  fc.array(jsonLeaf, { maxLength: 3 }),
);

const message: fc.Arbitrary<RoutableMessage> = fc
  .record({
    props: fc.dictionary(fc.constantFrom(...NAMES, ...SYS, '$body.t', 'KEY1'), value),
    sys: fc.dictionary(fc.constantFrom('sys1', 'connectionModuleId', 'OUTPUTNAME'), fc.string({ maxLength: 3 })),
    body: fc.oneof(fc.dictionary(fc.constantFrom('t', 's', 'b', 'z', 'o', 'arr'), json), fc.constant('not json')),
    contentType: fc.constantFrom('application/json', 'text/plain', undefined),
    encoding: fc.constantFrom('utf-8', 'utf-16', 'utf-32', undefined),
  })
  .map(({ props, sys, body, contentType, encoding }) => {
    const properties: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(props)) if (v !== undefined) properties[k] = v;
    const systemProperties: Record<string, string | undefined> = { ...sys, contentType, contentEncoding: encoding };
    return {
      properties,
      systemProperties,
      body: encodeText(typeof body === 'string' ? body : JSON.stringify(body), encoding),
    };
  });

describe('compiled predicates', () => {
  it('give the interpreter’s three-valued result on well-typed conditions', () => {
    fc.assert(
      fc.property(typed('bool', 3), fc.array(message, { minLength: 1, maxLength: 4 }), (e, messages) => {
        const text = printExpr(e);
        const compiled = compileCondition(text);
        const interpreted = compileCondition(text, { interpreted: true });
        assert.ok(compiled.ok && interpreted.ok, `${text}: ${compiled.ok ? '' : compiled.error.message}`);
        for (const m of messages) assert.equal(compiled.condition.test(m), interpreted.condition.test(m), text);
      }),
      { numRuns: 400 },
    );
  });
});

// ---- (3) whole tables: one compiled function per candidate list === each route interpreted ----

const tableRoute = fc.record({
  source: fc.constantFrom(
    '/*',
    '/messages/*',
    '/messages/modules/m1/*',
    '/messages/modules/M1/outputs/o1',
    '/messages/modules/m2/*',
  ),
  condition: fc.option(typed('bool', 2), { nil: undefined }),
  sink: fc.constantFrom<Sink>(
    { kind: 'upstream' },
    { kind: 'module', moduleId: 'a', input: 'i' },
    { kind: 'module', moduleId: 'b', input: 'i' },
  ),
  priority: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
});
const routed: fc.Arbitrary<RoutableMessage> = fc
  .tuple(message, fc.constantFrom(undefined, 'm1', 'M1', 'm2'), fc.constantFrom(undefined, 'o1', 'O1', 'o2'))
  .map(([m, moduleId, outputName]) => ({
    ...m,
    systemProperties: { ...m.systemProperties, connectionModuleId: moduleId, outputName },
  }));

describe('compiled tables', () => {
  it('route every message as the interpreted table does', () => {
    fc.assert(
      fc.property(
        fc.array(tableRoute, { minLength: 1, maxLength: 8 }),
        fc.array(routed, { minLength: 1, maxLength: 4 }),
        (routes, messages) => {
          const specs = routes.map((r, i) => ({
            name: `r${i}`,
            // printRoute, not a template: a source ending in /* before a '*/' in a string is a comment to the lexer
            route: printRoute({
              source: { text: r.source },
              ...(r.condition === undefined ? {} : { condition: { expr: r.condition } }),
              sink: r.sink,
            }),
            ...(r.priority === undefined ? {} : { priority: r.priority }),
          }));
          const compiled = RouteTable.build(specs);
          const interpreted = RouteTable.build(specs, { interpreted: true });
          assert.ok(compiled.ok && interpreted.ok, compiled.ok ? '' : compiled.errors[0]!.message);
          for (const m of messages) {
            const names = (t: RouteTable) => t.evaluate(m).map((x) => `${x.endpointId}:${x.routeName}`);
            assert.deepEqual(names(compiled.table), names(interpreted.table), specs.map((s) => s.route).join('\n'));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('route printer, found by the property above', () => {
  it('keeps a source ending in /* apart from a */ later in the route (the lexer reads /* … */ as a comment)', () => {
    const text = printRoute({
      source: { text: '/*' },
      condition: { expr: { kind: 'string', value: '*/', span: { offset: 0, length: 0 } } },
      sink: { kind: 'upstream' },
    });
    const parsed = parseRoute(text);
    assert.ok(parsed.ok, text);
    assert.equal(parsed.value.source.text, '/*');
  });
});
