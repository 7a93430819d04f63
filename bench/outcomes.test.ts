import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatedRatio, gatedSummary, type CaseResult, type RunRecord } from './outcomes.js';
import { formatRatio } from './report.js';
import { keepOnly, quietRepetitions } from './stats.js';

const run = (rep: number, delivered: number, otherCpu?: number): RunRecord => ({
  rep,
  order: 0,
  values: { delivered, ...(otherCpu !== undefined ? { otherCpu } : {}) },
  notes: [],
});

function caseOf(hub: RunRecord[], mosquitto: RunRecord[]): CaseResult {
  return { label: '200 B', brokers: ['edgehub', 'mosquitto'], runs: { edgehub: hub, mosquitto } };
}

describe('the load gate', () => {
  it('keeps a repetition only when every side ran at or below the limit (no reading counts as quiet)', () => {
    assert.deepEqual(
      quietRepetitions(
        [
          [0.1, 0.5, undefined],
          [0.2, 0.1, 0.3],
        ],
        0.25,
      ),
      [true, false, false],
    );
    assert.deepEqual(keepOnly([1, 2, 3], [true, false, true]), [1, undefined, 3]);
  });

  it('leaves the busy pairs out of a ratio and says how many', () => {
    // Repetition 1 ran the peer while something else used 0.9 cores: its 4× is not evidence.
    const c = caseOf(
      [run(0, 20, 0.05), run(1, 40, 0.02), run(2, 30, 0.1)],
      [run(0, 20, 0.04), run(1, 10, 0.9), run(2, 30, 0)],
    );
    const g = gatedRatio(c, 'mosquitto', 'delivered', 3, 0.25);
    assert.deepEqual(g.summary, { median: 1, min: 1, max: 1, n: 2 });
    assert.equal(g.refused, 1);
    assert.equal(g.measured, 3);
    assert.equal(g.worstLoad, 0.9);
    assert.match(
      formatRatio(g, 0.25),
      /^1\.00× \(1\.00–1\.00\) \*\*⚠ 1\/3 left out: other load up to 0\.90 cores > 0\.25\*\*$/,
    );
  });

  it('refuses a ratio outright when every pair ran on a busy machine', () => {
    const c = caseOf([run(0, 20, 1.0), run(1, 20, 0.1)], [run(0, 10, 0.1), run(1, 10, 0.8)]);
    const g = gatedRatio(c, 'mosquitto', 'delivered', 2, 0.25);
    assert.equal(g.summary, undefined);
    assert.match(formatRatio(g, 0.25), /refused: other load up to 1\.00 cores > 0\.25 in 2\/2/);
  });

  it('gates a broker’s own figure by its own load', () => {
    const c = caseOf([run(0, 20, 0.5), run(1, 30, 0.1), run(2, 50)], []);
    const g = gatedSummary(c, 'edgehub', 'delivered', 3, 0.25);
    assert.deepEqual(g.summary, { median: 40, min: 30, max: 50, n: 2 });
    assert.equal(g.refused, 1);
  });
});
