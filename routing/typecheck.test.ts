// Static typing (reference §2.4), with run-time results where the type decides them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCondition, type RoutableMessage, type Tri } from './index.js';
import { parseCondition } from './parser.js';
import { typecheck } from './typecheck.js';

function typeOf(text: string): string {
  const p = parseCondition(text);
  assert.ok(p.ok);
  const t = typecheck(p.value);
  return t.ok ? t.ir.type : `error ${t.finding.code}`;
}

const body = new TextEncoder().encode(
  JSON.stringify({ t: 50, s: 'abc', flag: true, n: null, arr: [1, 2], shadowed: 1 }),
);
const message: RoutableMessage = {
  properties: { key1: 'value1', num: '3', nul: null, '$body.shadowed': 'app' },
  systemProperties: { contentType: 'application/json', contentEncoding: 'utf-8', sys1: 'sysvalue1' },
  body,
};
function run(text: string): Tri {
  const r = compileCondition(text);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.condition.test(message);
}

describe('static types', () => {
  const TYPES: readonly [string, string][] = [
    ['key1', 'string'],
    ['$sys1', 'string'],
    ['{$sys1}', 'string'],
    ['$body.x', 'query'],
    ['3 + 4', 'number'],
    ['$body.x + 4', 'query'],
    ["'a' || key1", 'string'],
    ['null and true', 'null'],
    ['null or true', 'bool'],
    ['null or null', 'null'],
    ['not null', 'bool'],
    ['undefined or true', 'bool'],
    ["key1 ?? 'x'", 'string'],
    ['undefined ?? undefined', 'undefined'],
    ['$body.x ?? 3', 'query'],
    ['as_number(key1)', 'number'],
    ['as_number($body.x)', 'number'],
    ['is_defined($body.x)', 'bool'],
    ['concat($body.s, key1)', 'string'],
    // The compile errors of the reference's ConditionCompilerTest (§2.4).
    ['3 = none', 'error EH_ROUTE_TYPE'],
    ['3 + null_value', 'error EH_ROUTE_TYPE'],
    ["'a' + 'b'", 'error EH_ROUTE_TYPE'],
    ['3 + undefined', 'error EH_ROUTE_TYPE'],
    ['undefined + undefined', 'error EH_ROUTE_TYPE'],
    ['true + 3', 'error EH_ROUTE_TYPE'],
    ['none and true', 'error EH_ROUTE_TYPE'],
    ['- (key1)', 'error EH_ROUTE_TYPE'],
    ['is_defined(not key1)', 'error EH_ROUTE_TYPE'],
    ['key1 ?? "hello" = "value1"', 'error EH_ROUTE_TYPE'],
    ['(key1 ?? 12.34)', 'error EH_ROUTE_TYPE'],
    ['(key1 ?? true)', 'error EH_ROUTE_TYPE'],
    ['key1 = null', 'error EH_ROUTE_TYPE'],
    ['not undefined', 'error EH_ROUTE_TYPE'],
    ['$body.x = undefined', 'error EH_ROUTE_TYPE'],
    ["3 || 'a'", 'error EH_ROUTE_TYPE'],
    ['$a[0] = 1', 'error EH_ROUTE_PROPERTY'],
    ['nope(1)', 'error EH_ROUTE_FUNCTION'],
    ['concat()', 'error EH_ROUTE_FUNCTION'],
    ['as_number(true)', 'error EH_ROUTE_FUNCTION'],
  ];
  for (const [text, type] of TYPES) it(`${text}: ${type}`, () => assert.equal(typeOf(text), type));
});

describe('values the types decide', () => {
  const RESULTS: readonly [string, Tri][] = [
    ['$body.shadowed = 1', false], // the application property literally named `$body.shadowed` wins
    ["$body.shadowed = 'app'", true],
    ['{$body.shadowed} = 1', true],
    ['$body.t = 50', true],
    ['$body.x = null', true], // a missing path is Null
    ['$body.s > 3', true], // kinds order: Bool < Number < String < Null
    ['$body.flag < 1', true],
    ['$body.arr = null', undefined], // arrays are not queryable
    ['null and true', false], // null at the top is false
    ['(null and true) = null', true],
    ['null or undefined', undefined],
    ['$body.flag AND is_defined(key1)', true],
    // The reference refuses a $body value on the right of AND when the left is not one; edgehub accepts it.
    ['is_defined(key1) AND $body.flag', true],
    ['is_defined(key1) AND $body.s', undefined],
    ['- $body.t = -50', true], // the reference cannot compile unary minus on a $body value
    ['$body.t % 7 = 1', true], // nor %
    ['$body.s + 1 = 2', undefined],
    ["nul || 'x' = 'x'", true], // a null-valued property concatenates as ''
    ["nul = 'x'", undefined],
    ['is_null($body.n)', true],
    ['is_null($body.t)', false], // the reference says true for any present value: not copied
    ['is_null($body.missing)', false],
    ['is_defined($body.missing)', true],
    ['$body.t / 0 = 1 / 0', true],
    ['$body.t - $body.t = 0', true],
  ];
  for (const [text, expected] of RESULTS) it(`${text} → ${String(expected)}`, () => assert.equal(run(text), expected));
});
