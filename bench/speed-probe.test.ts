import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleSpeed, SpeedProbe } from './speed-probe.js';

describe('speed probe', () => {
  it('measures fixed work per CPU millisecond, less when the same work is done twice per unit', () => {
    for (let i = 0; i < 20; i++) sampleSpeed(2); // past the JIT's warm-up, as in the orchestrator
    const one = [0, 0, 0, 0, 0].map(() => sampleSpeed(2));
    for (const s of one) assert.ok(Number.isFinite(s) && s > 0, `sample ${s}`);
    // Twice the work per sample, so the same count of units per CPU ms: the unit is the work, not the sample.
    const four = [0, 0, 0, 0, 0].map(() => sampleSpeed(4)).sort((a, b) => a - b)[2]!;
    const two = one.sort((a, b) => a - b)[2]!;
    assert.ok(four / two > 0.5 && four / two < 2, `2 units: ${two}/ms, 4 units: ${four}/ms`);
  });

  it('gives the median of a window, and nothing for a window without samples', async () => {
    const probe = new SpeedProbe(10);
    probe.start();
    assert.equal(probe.stop(), undefined);
    probe.start();
    await new Promise((r) => setTimeout(r, 80));
    const speed = probe.stop();
    assert.ok(speed !== undefined && speed > 0, `speed ${speed}`);
  });
});
