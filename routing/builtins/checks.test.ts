import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNumber } from './checks.js';

// .NET double.TryParse with NumberStyles.Any and the invariant culture.
const CASES: readonly [string, number][] = [
  ['3', 3],
  [' -3.5 ', -3.5],
  ['+1e3', 1000],
  ['10e10', 1e11],
  ['1e25', 1e25],
  ['1e400', Infinity],
  ['-1e400', -Infinity],
  ['1,234.5', 1234.5],
  ['.5', 0.5],
  ['5.', 5],
  ['(12)', -12],
  ['12-', -12],
  ['Infinity', Infinity],
  ['-infinity', -Infinity],
  ['NaN', NaN],
  ['', NaN],
  ['.', NaN],
  ['abc', NaN],
  ['0x1F', NaN],
  ['1 2', NaN],
  ['--1', NaN],
  ['(-1)', NaN],
  ['(1', NaN],
];

describe('parseNumber', () => {
  for (const [text, value] of CASES) it(`"${text}" → ${value}`, () => assert.equal(parseNumber(text), value));
});
