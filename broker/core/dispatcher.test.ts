import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite-store.js';
import { GroupCommit } from './commit.js';
import { DEFAULT_DISPATCHER_OPTIONS, Dispatcher, type DeliveryTarget } from './dispatcher.js';
import type { QueueEntry } from './ports.js';

const dirs: string[] = [];
// Stores are shut down (their checkpoint worker stopped) before this runs; the retries cover a worker that a
// failed test left running.
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true, maxRetries: 5 })));

/** A receiver that records what it gets and acknowledges when told to. */
class RecordingTarget implements DeliveryTarget {
  readonly received: QueueEntry[] = [];
  private readonly acks: (() => void)[] = [];
  constructor(readonly name = 'test') {}
  deliver(entry: QueueEntry, _sink: unknown, acked: () => void): void {
    this.received.push(entry);
    this.acks.push(acked);
  }
  ackAll(): void {
    this.acks.splice(0).forEach((a) => a());
  }
  /** Acknowledges the i-th still unacknowledged delivery. */
  ackOne(i: number): void {
    this.acks.splice(i, 1)[0]!();
  }
  bodies(): string[] {
    return this.received.map((e) => e.message.body.toString());
  }
}

function setup(
  path?: string,
  now = () => Date.now(),
  overrides: Partial<typeof DEFAULT_DISPATCHER_OPTIONS> = {},
  releaseDelayMs?: number,
) {
  if (!path) {
    const dir = mkdtempSync(join(tmpdir(), 'edgehub-dispatch-'));
    dirs.push(dir);
    path = join(dir, 'store.db');
  }
  const store = new SqliteStore({ path });
  const dispatchers = new Map<string, Dispatcher>();
  const expired: string[] = [];
  const failed: string[] = [];
  const commit = new GroupCommit(
    store,
    {
      committed: (appends) =>
        appends.forEach((a) => a.entries.forEach((e) => dispatchers.get(e.endpointId)?.appended(e))),
    },
    releaseDelayMs === undefined ? undefined : { releaseDelayMs, maxPendingReleases: 1000 },
  );
  const opts = { ...DEFAULT_DISPATCHER_OPTIONS, window: 3, readBatch: 2, bufferLimit: 4, now, ...overrides };
  const dispatcher = new Dispatcher(
    'mod/in',
    { kind: 'module', moduleId: 'mod', input: 'in' },
    store,
    commit,
    {
      expired: (_e, _p, sys) => expired.push(sys.messageId ?? ''),
      failed: (entry, _target, err) => failed.push(`${entry.message.body.toString()}: ${err.message}`),
    },
    opts,
  );
  dispatchers.set('mod/in', dispatcher);
  for (const q of store.queues()) if (q.endpointId === 'mod/in') dispatcher.restore(q.priority, q.count);
  const send = (body: string, priority = 0, expiresMs = 0): void => {
    const message = {
      id: commit.messageId(),
      properties: {},
      systemProperties: { messageId: body },
      body: Buffer.from(body),
      enqueuedMs: Date.now(),
    };
    commit.append(
      { message, entries: [{ endpointId: 'mod/in', priority, seq: commit.seq(), expiresMs, message }] },
      (err) => assert.ifError(err),
    );
  };
  return { path, store, commit, dispatcher, send, expired, failed };
}

describe('Dispatcher', () => {
  it('delivers in priority, then arrival order, within its window', async () => {
    const { dispatcher, send, store, commit } = setup();
    for (const [body, p] of [
      ['a5', 5],
      ['b0', 0],
      ['c5', 5],
      ['d0', 0],
      ['e9', 9],
    ] as const)
      send(body, p);
    await tick();
    const target = new RecordingTarget();
    dispatcher.attach(target);
    assert.deepEqual(target.bodies(), ['b0', 'd0', 'a5'], 'window of 3, priority 0 first');
    target.ackAll();
    assert.deepEqual(target.bodies(), ['b0', 'd0', 'a5', 'c5', 'e9']);
    target.ackAll();
    commit.flush(); // releases wait for the next commit, or 100 ms
    assert.equal(dispatcher.length, 0);
    assert.deepEqual(store.counts(), { messages: 0, entries: 0 });
    await store.shutdown();
  });

  it('holds at most bufferBytes in memory for a receiver that stops acknowledging, and loses nothing', async () => {
    // 1 KiB bodies, each counted as 1280 bytes: a 4 KiB budget keeps 3 in memory (the window holds 3 more).
    const { dispatcher, send, store, commit } = setup(undefined, undefined, {
      readBatch: 50,
      bufferLimit: 2000,
      bufferBytes: 4096,
    });
    const target = new RecordingTarget();
    dispatcher.attach(target);
    const bodies = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(4, '0')}${'x'.repeat(1020)}`);
    for (const b of bodies) send(b);
    await tick();
    assert.equal(target.received.length, 3, 'the window is full');
    assert.ok(dispatcher.bufferedBytes <= 4096, `buffered ${dispatcher.bufferedBytes} bytes`);
    // Read back from the store in pieces that fit, in order, once the receiver acknowledges again.
    for (let i = 0; i < 20 && target.received.length < bodies.length; i++) {
      target.ackAll();
      assert.ok(dispatcher.bufferedBytes <= 4096, `buffered ${dispatcher.bufferedBytes} bytes`);
    }
    assert.deepEqual(target.bodies(), bodies);
    target.ackAll();
    commit.flush();
    assert.equal(store.counts().entries, 0);
    await store.shutdown();
  });

  it('sends what arrives while connected at once, and releases acknowledged entries as one range', async () => {
    const { dispatcher, send, store } = setup();
    const target = new RecordingTarget();
    dispatcher.attach(target);
    send('x');
    send('y');
    await tick();
    assert.deepEqual(target.bodies(), ['x', 'y']);
    target.ackAll();
    assert.equal(store.counts().entries, 2, 'releases wait for the next commit');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(store.counts().entries, 0, '…or at most 100 ms');
    await store.shutdown();
  });

  it('sends again what a dropped connection did not acknowledge, and what was stored before a restart', async () => {
    const first = setup();
    const target = new RecordingTarget('first');
    first.dispatcher.attach(target);
    for (const b of ['1', '2', '3', '4']) first.send(b);
    await tick();
    assert.deepEqual(target.bodies(), ['1', '2', '3']);
    target.ackAll(); // 1–3 acknowledged, 4 now in flight
    await tick();
    first.dispatcher.detach(target);
    target.ackAll(); // a late ack from the old connection is ignored: 4 stays queued
    first.commit.flush(); // as a shutdown does
    await first.store.shutdown();

    const second = setup(first.path);
    assert.equal(second.dispatcher.length, 1);
    const again = new RecordingTarget('second');
    second.dispatcher.attach(again);
    assert.deepEqual(again.bodies(), ['4']);
    again.ackAll();
    second.commit.flush();
    assert.equal(second.store.counts().entries, 0);
    await second.store.shutdown();
  });

  it('delivers again after a crash what was acknowledged but not yet released (at-least-once)', async () => {
    // The releases must still be pending at the crash, however slow the machine: no release timer fires first.
    const first = setup(undefined, undefined, {}, 60_000);
    const target = new RecordingTarget();
    first.dispatcher.attach(target);
    first.send('a');
    first.send('b');
    await tick();
    target.ackAll(); // released in memory; the crash comes before the release commits
    // Closed at once, as a crash would: awaiting shutdown() let the 100 ms release timer commit first on a slow
    // machine, and the test then found nothing to deliver again.
    first.store.close();
    const second = setup(first.path);
    const again = new RecordingTarget();
    second.dispatcher.attach(again);
    assert.deepEqual(again.bodies(), ['a', 'b']);
    await first.store.shutdown();
    await second.store.shutdown();
  });

  it('releases acknowledgements that arrive out of order once the gap closes, and loses none on reconnect', async () => {
    const { dispatcher, send, store, commit } = setup();
    const target = new RecordingTarget();
    dispatcher.attach(target);
    send('1');
    send('2');
    send('3');
    await tick();
    target.ackOne(1); // '2' first: not releasable yet, '1' is still out
    commit.flush();
    assert.equal(store.counts().entries, 3);
    target.ackOne(0); // '1': now 1 and 2 form a range
    commit.flush();
    assert.deepEqual(
      store.readQueue('mod/in', 0, 0, 10).map((e) => e.message.body.toString()),
      ['3'],
    );
    dispatcher.detach(target);
    const again = new RecordingTarget('again');
    dispatcher.attach(again);
    assert.deepEqual(again.bodies(), ['3'], 'only the unacknowledged one comes again');
    await store.shutdown();
  });

  it('reads a backlog larger than its buffer from the store, in order', async () => {
    const { dispatcher, send, store } = setup();
    const target = new RecordingTarget();
    dispatcher.attach(target);
    target.ackAll();
    const bodies = Array.from({ length: 20 }, (_, i) => `m${i}`);
    bodies.forEach((b) => send(b));
    await tick();
    for (let i = 0; i < 10 && target.received.length < 20; i++) target.ackAll();
    assert.deepEqual(target.bodies(), bodies);
    await store.shutdown();
  });

  it('never delivers an expired message, and counts it', async () => {
    let now = 1_000_000;
    const { dispatcher, send, store, expired } = setup(undefined, () => now);
    send('old', 0, now + 1000);
    send('fresh', 0, now + 60_000);
    await tick();
    now += 5000;
    const target = new RecordingTarget();
    dispatcher.attach(target);
    assert.deepEqual(target.bodies(), ['fresh']);
    assert.deepEqual(expired, ['old']);
    await store.shutdown();
  });

  it('sweeps expired messages of an offline endpoint from the store', async () => {
    let now = 1_000_000;
    const { dispatcher, send, store, expired, commit } = setup(undefined, () => now);
    for (let i = 0; i < 5; i++) send(`e${i}`, 0, now + 1000);
    send('keep', 0, 0);
    await tick();
    now += 2000;
    assert.deepEqual(dispatcher.sweepExpired(3), { scanned: 3, dropped: 3 });
    assert.deepEqual(dispatcher.sweepExpired(10), { scanned: 3, dropped: 2 });
    await tick();
    assert.deepEqual(expired, ['e0', 'e1', 'e2', 'e3', 'e4']);
    assert.equal(dispatcher.length, 1);
    commit.flush();
    assert.deepEqual(store.counts(), { messages: 1, entries: 1 });
    await store.shutdown();
  });

  it('drops and reports a message whose delivery throws, and goes on with the next (one poison message)', async () => {
    const { dispatcher, send, store, commit, failed } = setup();
    const target = new RecordingTarget();
    const deliver = target.deliver.bind(target);
    target.deliver = (entry, sink, acked) => {
      if (entry.message.body.toString() === 'poison') throw new RangeError('topic too long');
      deliver(entry, sink, acked);
    };
    send('a');
    send('poison');
    send('b');
    await tick();
    dispatcher.attach(target);
    assert.deepEqual(target.bodies(), ['a', 'b']);
    assert.deepEqual(failed, ['poison: topic too long']);
    target.ackAll();
    commit.flush();
    assert.equal(dispatcher.length, 0);
    assert.deepEqual(store.counts(), { messages: 0, entries: 0 }, 'the poison message is released with the others');
    await store.shutdown();
  });
});
