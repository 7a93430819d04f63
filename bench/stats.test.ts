import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCpuBound, median, pairedRatios, perSecond, ratioSummary, rotation, summarize } from './stats.js';

describe('bench statistics', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const input = [5, 1, 3];
    assert.equal(median(input), 3);
    assert.deepEqual(input, [5, 1, 3]);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('summarises finite values only', () => {
    assert.deepEqual(summarize([3, undefined, 1, NaN, 2]), { median: 2, min: 1, max: 3, n: 3 });
    assert.equal(summarize([undefined, Infinity]), undefined);
  });

  it('pairs ratios by repetition and skips incomplete pairs', () => {
    assert.deepEqual(pairedRatios([10, 20, undefined, 30], [5, 0, 7, 10]), [2, 3]);
    assert.deepEqual(pairedRatios([1, 2, 3], [1]), [1]);
  });

  it('takes the median of the paired ratios, not the ratio of the medians', () => {
    // Ratios per repetition: 2, 1, 1 → median 1; the ratio of medians would be 20/15.
    const hub = [20, 10, 30];
    const peer = [10, 10, 30];
    assert.deepEqual(ratioSummary(hub, peer), { median: 1, min: 1, max: 2, n: 3 });
  });

  it('rotates the order of the brokers by repetition', () => {
    const kinds = ['edgehub', 'mosquitto', 'aedes'];
    assert.deepEqual(rotation(kinds, 0), ['edgehub', 'mosquitto', 'aedes']);
    assert.deepEqual(rotation(kinds, 1), ['mosquitto', 'aedes', 'edgehub']);
    assert.deepEqual(rotation(kinds, 5), ['aedes', 'edgehub', 'mosquitto']);
    assert.deepEqual(rotation([], 3), []);
  });

  it('computes rates and the CPU-bound flag', () => {
    assert.equal(perSecond(3000, 1500), 2000);
    assert.ok(Number.isNaN(perSecond(1, 0)));
    assert.equal(isCpuBound(0.95), true);
    assert.equal(isCpuBound(0.9), false);
    assert.equal(isCpuBound(undefined), false);
  });
});
