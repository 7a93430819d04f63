import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { LogSummary, LogSummaryChild } from './log-summary.js';

describe('LogSummary', () => {
  it('estimates quantiles within a few percent', () => {
    const c = new LogSummaryChild({});
    // 1..10000 µs, uniform: the q-quantile is q × 10 ms.
    for (let i = 1; i <= 10_000; i++) c.observe(i * 1e-6);
    const [p10, p50, p90, p99] = c.quantiles([0.1, 0.5, 0.9, 0.99])!;
    for (const [got, want] of [
      [p10, 0.001],
      [p50, 0.005],
      [p90, 0.009],
      [p99, 0.0099],
    ] as const) {
      assert.ok(Math.abs(got! - want) / want < 0.03, `${got} vs ${want}`);
    }
    assert.equal(c.count, 10_000);
    assert.ok(Math.abs(c.sum - 50.005) < 1e-6);
  });

  it('forgets observations after two rotations but keeps _sum and _count', () => {
    const c = new LogSummaryChild({});
    c.observe(5);
    c.rotate();
    assert.ok(Math.abs(c.quantiles([0.5])![0]! - 5) / 5 < 0.03, 'still in the window after one rotation');
    c.rotate();
    assert.equal(c.quantiles([0.5]), undefined);
    assert.equal(c.count, 1);
    assert.equal(c.sum, 5);
  });

  it('handles zero, negative and huge values', () => {
    const c = new LogSummaryChild({});
    c.observe(0);
    c.observe(-1);
    c.observe(1e12);
    const [lo, hi] = c.quantiles([0.1, 1])!;
    assert.equal(lo, 0);
    assert.ok(hi! > 1e9);
  });

  it('is exposed by a prom-client registry in the text format, with the default labels', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ edge_device: 'dev' });
    const s = new LogSummary({
      name: 't_seconds',
      help: 'test',
      labelNames: ['id'],
      percentiles: [0.5, 0.99],
      maxAgeSeconds: 60,
      registers: [registry],
    });
    s.child({ id: 'a' }).observe(0.25);
    s.child({ id: 'a' }).observe(0.25); // the same child again
    const text = await registry.metrics();
    s.close();
    assert.match(text, /# TYPE t_seconds summary/);
    assert.match(text, /t_seconds\{quantile="0\.5",id="a",edge_device="dev"\} 0\.2\d+/);
    assert.match(text, /t_seconds_sum\{id="a",edge_device="dev"\} 0\.5/);
    assert.match(text, /t_seconds_count\{id="a",edge_device="dev"\} 2/);
  });
});
