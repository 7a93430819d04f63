import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedLabel } from './bounded-label.js';

describe('BoundedLabel', () => {
  it('keeps values within its budget and folds the rest into _other, counting folds where values enter', () => {
    const l = new BoundedLabel({ limit: 3, maxLength: 5, maxTotal: 9 });
    assert.equal(l.admit('a'), 'a');
    assert.equal(l.admit('toolong'), '_other');
    assert.equal(l.admit('bbbb'), 'bbbb');
    assert.equal(l.admit('ccccc'), '_other', 'over the total of 9 characters');
    assert.equal(l.admit('dd'), 'dd');
    assert.equal(l.admit('e'), '_other', 'over the count of 3');
    assert.equal(l.admit('a'), 'a', 'a kept value stays');
    assert.equal(l.value('e'), '_other');
    assert.deepEqual(l.folded, { too_long: 1, too_many: 2 }, 'value() does not count');
  });
});
