import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NULL_STRING } from '../values.js';
import { findBuiltin, resolveOverload, signatures } from './index.js';
import { concat, mapCase } from './string.js';

function call(name: string, ...args: unknown[]): unknown {
  const b = findBuiltin(name);
  assert.ok(b);
  const o = b.overloads.find((x) => x.params.length === args.length || x.variadic);
  assert.ok(o);
  return o.run(...args);
}

describe('string built-ins', () => {
  it('map case one character to one, as .NET invariant culture does', () => {
    assert.equal(mapCase('straße', true), 'STRAßE');
    assert.equal(mapCase('ÀB', false), 'àb');
  });
  it('concatenate, counting a null-valued property as empty and failing on anything undefined', () => {
    assert.equal(concat('a', NULL_STRING, 'b'), 'ab');
    assert.equal(concat('a', undefined), undefined);
    assert.equal(concat('a', 3), undefined);
  });
  const SUBSTRINGS: readonly [unknown[], unknown][] = [
    [['abc', 1], 'bc'],
    [['abc', 3], ''],
    [['abc', 4], undefined],
    [['abc', -1], undefined],
    [['abc', 1.9], 'bc'],
    [['hello', 1, 4], 'ello'],
    [['hello', 1, 5], undefined],
    [['hello', 5, 0], undefined],
    [['hello', 0.5, 2.9], 'he'],
  ];
  for (const [args, expected] of SUBSTRINGS) {
    it(`substring(${args.join(', ')}) → ${String(expected)}`, () => assert.equal(call('substring', ...args), expected));
  }
  it('find with ordinal, case-sensitive comparisons', () => {
    assert.equal(call('index_of', 'abcabc', 'c'), 2);
    assert.equal(call('index_of', 'abc', 'C'), -1);
    assert.equal(call('contains', 'abc', ''), true);
    assert.equal(call('starts_with', 'abc', undefined), undefined);
    assert.equal(call('length', '😀'), 2);
  });
  it('resolve overloads as the reference picks executors, and describe them', () => {
    const sub = findBuiltin('SubString');
    assert.ok(sub);
    assert.equal(resolveOverload(sub, ['string', 'number'])?.params.length, 2);
    assert.equal(resolveOverload(sub, ['query', 'query', 'number'])?.params.length, 3);
    assert.equal(resolveOverload(sub, ['string', 'string']), undefined);
    assert.equal(signatures(sub), 'substring(string, number) or substring(string, number, number)');
    assert.equal(signatures(findBuiltin('concat')!), 'concat(string, string, …)');
  });
});
