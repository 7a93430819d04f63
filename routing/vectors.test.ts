// The shared acceptance vectors (testdata/, copied from shared/vectors/), one test per vector, named by its
// file, index and text. Vectors describe the reference router, so they run in reference mode
// (strict: false); what strict mode (the hub's default) refuses among them is listed and checked below.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileCondition, compileRoute, type RouteErrorCode } from './index.js';
import { parseVectorCase, vectorSink } from './vector-case.js';

interface ConditionVector {
  condition: string;
  message: unknown;
  expect: boolean | 'compile-error';
  tri?: 'undefined';
  why: string;
}
interface RouteVector {
  route: string;
  message: unknown;
  expectMatch: boolean;
  sink: unknown;
  expectError?: 'parse' | 'compile';
  why: string;
}

function load<T>(name: string): T[] {
  return JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as T[];
}
const conditions = load<ConditionVector>('conditions.json');
const routes = load<RouteVector>('routes.json');

function messageOf(v: ConditionVector | RouteVector) {
  const parsed = parseVectorCase(v);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return parsed.case.message;
}

describe('conditions.json (reference mode)', () => {
  it('has the 123 cases the brief names', () => assert.equal(conditions.length, 123));
  conditions.forEach((v, i) => {
    it(`#${i}: ${v.condition === '' ? '(empty)' : v.condition}`, () => {
      const r = compileCondition(v.condition, { strict: false });
      if (v.expect === 'compile-error') {
        assert.equal(r.ok, false, `expected a compile error (${v.why})`);
        return;
      }
      assert.ok(r.ok, r.ok ? '' : `unexpected error: ${r.error.message} (${v.why})`);
      const t = r.condition.test(messageOf(v));
      assert.equal(t === true, v.expect, v.why);
      assert.equal(t === undefined, v.tri === 'undefined', `three-valued result ${String(t)}: ${v.why}`);
    });
  });
});

describe('routes.json (reference mode)', () => {
  it('has the 35 cases the brief names', () => assert.equal(routes.length, 35));
  routes.forEach((v, i) => {
    it(`#${i}: ${v.route}`, () => {
      const r = compileRoute({ name: `v${i}`, route: v.route }, { strict: false });
      if (v.expectError !== undefined) {
        assert.equal(r.ok, false, `expected a ${v.expectError} error (${v.why})`);
        assert.equal(r.error.phase, v.expectError, `${r.error.message} (${v.why})`);
        assert.equal(v.sink, null);
        return;
      }
      assert.ok(r.ok, r.ok ? '' : `unexpected error: ${r.error.message} (${v.why})`);
      assert.equal(r.route.matches(messageOf(v)), v.expectMatch, v.why);
      assert.deepEqual(vectorSink(r.route.sink), v.sink);
    });
  });
});

// Strict mode refuses these vectors' routes: the reference accepts them, but they never do what they say.
const STRICT_REFUSALS: readonly { index: number; code: RouteErrorCode; why: string }[] = [
  { index: 14, code: 'EH_ROUTE_SOURCE', why: "'out*' is no wildcard: it means the output named 'out'" },
  { index: 15, code: 'EH_ROUTE_SOURCE', why: 'same route as #14' },
  { index: 17, code: 'EH_ROUTE_SOURCE', why: '/foo/* matches no message' },
  { index: 22, code: 'EH_ROUTE_TRAILING', why: "the reference ignores 'extra' after the sink" },
];
const STRICT_CONDITION_REFUSALS: readonly { index: number; code: RouteErrorCode }[] = [
  { index: 20, code: 'EH_ROUTE_PITFALL' }, // TRUE is a property, not the literal
  { index: 33, code: 'EH_ROUTE_PITFALL' }, // key1!='value1' looks up the property `key1!`
];

describe('strict mode (the hub) on the vectors', () => {
  for (const { index, code, why } of STRICT_REFUSALS) {
    it(`refuses routes.json #${index} with ${code}: ${why}`, () => {
      const v = routes[index]!;
      const r = compileRoute({ name: 'r', route: v.route });
      assert.equal(r.ok, false);
      assert.equal(r.error.code, code);
      assert.equal(r.error.phase, 'parse');
      const reference = compileRoute({ name: 'r', route: v.route }, { strict: false });
      assert.ok(reference.ok);
      assert.deepEqual(
        reference.route.warnings.map((w) => [w.code, w.severity]),
        [[code, 'warning']],
      );
    });
  }
  for (const { index, code } of STRICT_CONDITION_REFUSALS) {
    it(`refuses conditions.json #${index} (${conditions[index]!.condition}) with ${code}`, () => {
      const r = compileCondition(conditions[index]!.condition);
      assert.equal(r.ok, false);
      assert.equal(r.error.code, code);
    });
  }
  it('agrees with reference mode on every other vector', () => {
    const refused = new Set(STRICT_REFUSALS.map((s) => s.index));
    routes.forEach((v, i) => {
      if (refused.has(i)) return;
      const strict = compileRoute({ name: 'r', route: v.route });
      const reference = compileRoute({ name: 'r', route: v.route }, { strict: false });
      assert.equal(strict.ok, reference.ok, `routes.json #${i}`);
    });
    const refusedConditions = new Set(STRICT_CONDITION_REFUSALS.map((s) => s.index));
    conditions.forEach((v, i) => {
      if (refusedConditions.has(i)) return;
      assert.equal(
        compileCondition(v.condition).ok,
        compileCondition(v.condition, { strict: false }).ok,
        `conditions.json #${i}`,
      );
    });
  });
});
