import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findBuiltin } from './index.js';
import { pow } from './math.js';

function run(name: string, ...args: unknown[]): unknown {
  return findBuiltin(name)!.overloads[0]!.run(...args);
}

describe('math built-ins', () => {
  it('power follows .NET Math.Pow where JavaScript differs', () => {
    assert.equal(pow(1, NaN), 1);
    assert.equal(pow(-1, Infinity), 1);
    assert.equal(pow(2, 10), 1024);
    assert.ok(Number.isNaN(pow(-8, 1 / 3)));
  });
  it('sign is -1, 0 or 1 and never -0', () => {
    assert.deepEqual([run('sign', -3), run('sign', -0), run('sign', 5), run('sign', -Infinity)], [-1, 0, 1, -1]);
    assert.ok(Object.is(run('sign', -0), 0));
  });
  it('anything but a number is undefined (NaN)', () => {
    for (const name of ['abs', 'exp', 'square', 'ceiling', 'floor', 'sqrt', 'sign']) {
      assert.ok(Number.isNaN(run(name, 'x')), name);
      assert.ok(Number.isNaN(run(name, undefined)), name);
    }
    assert.ok(Number.isNaN(run('power', 2, null)));
  });
});
