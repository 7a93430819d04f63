import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from './backoff.js';
import { WorkQueue } from './queue.js';

describe('WorkQueue', () => {
  it('deduplicates keys waiting in the queue', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    q.shutdown();
  });

  it('never hands out a key twice at once, and reprocesses a key added while processing', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    assert.equal(q.length, 0, 'held back while processing');
    q.done(first!);
    assert.equal(await q.get(), 'a');
    q.shutdown();
  });

  it('wakes a waiting worker, and ends waiting workers on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    assert.equal(await waiting, 'x');
    const last = q.get();
    q.shutdown();
    assert.equal(await last, undefined);
  });

  it('backs off per key, growing until forgotten', async () => {
    const q = new WorkQueue({ initialMs: 10, maxMs: 40 });
    const d1 = q.addRateLimited('k');
    const d2 = q.addRateLimited('k');
    assert.ok(d2 > d1, `${d2} > ${d1}`);
    assert.equal(await q.get(), 'k');
    q.forget('k');
    assert.ok(q.addRateLimited('k') <= 12);
    q.shutdown();
  });

  it('computes capped exponential delays with jitter', () => {
    const p = { initialMs: 100, maxMs: 1000 };
    assert.equal(
      backoffDelay(p, 1, () => 0.5),
      100,
    );
    assert.equal(
      backoffDelay(p, 3, () => 0.5),
      400,
    );
    assert.equal(
      backoffDelay(p, 10, () => 0.5),
      1000,
    );
    assert.equal(
      backoffDelay(p, 1, () => 0),
      80,
    );
  });
});
