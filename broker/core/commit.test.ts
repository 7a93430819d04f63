import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite-store.js';
import { GroupCommit, type CommitOptions } from './commit.js';
import type { Append, QueueRange } from './ports.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
after(async () => {
  await Promise.all(stores.map((s) => s.shutdown()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true, maxRetries: 5 }));
});

/** A real store whose write calls are recorded: how many appends and releases each transaction carried. */
class RecordedStore extends SqliteStore {
  readonly writes: { appends: number; releases: number }[] = [];
  /** Set: the next commit is held (as the checkpoint worker asks), and `resume` ends the hold. */
  holdNext = false;
  resume: (() => void) | undefined;
  asked = 0;
  override holdWrites(resume: () => void): boolean {
    this.asked++;
    if (!this.holdNext) return false;
    this.holdNext = false;
    this.resume = resume;
    return true;
  }
  override write(appends: readonly Append[], releases: readonly QueueRange[]): void {
    super.write(appends, releases);
    this.writes.push({ appends: appends.length, releases: releases.length });
  }
}

function setup(opts: CommitOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'edgehub-commit-'));
  dirs.push(dir);
  const store = new RecordedStore({ path: join(dir, 'store.db') });
  stores.push(store);
  const committed: number[] = [];
  const commit = new GroupCommit(store, { committed: (a) => committed.push(a.length) }, opts);
  const append = (endpointId: string): Promise<number> => {
    const message = {
      id: commit.messageId(),
      properties: {},
      systemProperties: {},
      body: Buffer.from('x'),
      enqueuedMs: Date.now(),
    };
    const seq = commit.seq();
    return new Promise((resolve, reject) =>
      commit.append({ message, entries: [{ endpointId, priority: 0, seq, expiresMs: 0, message }] }, (err) =>
        err ? reject(err) : resolve(seq),
      ),
    );
  };
  return { store, commit, append, committed };
}

describe('GroupCommit', () => {
  it('commits the appends of one turn in one transaction and acknowledges after it', async () => {
    const { store, append, committed } = setup({ releaseDelayMs: 50, maxPendingReleases: 100 });
    const seqs = await Promise.all([append('a/in'), append('a/in'), append('b/in')]);
    assert.deepEqual(seqs, [1, 2, 3]);
    assert.deepEqual(store.writes, [{ appends: 3, releases: 0 }]);
    assert.deepEqual(committed, [3]);
    assert.equal(store.counts().entries, 3);
  });

  it('lets releases ride with the next append commit, merged per queue', async () => {
    const { store, commit, append } = setup({ releaseDelayMs: 10_000, maxPendingReleases: 100 });
    await Promise.all([append('a/in'), append('a/in'), append('a/in')]);
    commit.release('a/in', 0, 0, 1);
    commit.release('a/in', 0, 1, 3); // follows the first: one range
    assert.equal(store.counts().entries, 3, 'a release alone does not commit');
    await append('b/in');
    assert.deepEqual(store.writes.at(-1), { appends: 1, releases: 1 });
    assert.equal(store.counts().entries, 1);
  });

  it('writes releases on their own after the delay when no append comes', async () => {
    const { store, commit, append } = setup({ releaseDelayMs: 40, maxPendingReleases: 100 });
    await append('a/in');
    commit.release('a/in', 0, 0, 1);
    await tick();
    assert.equal(store.counts().entries, 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(store.writes.at(-1), { appends: 0, releases: 1 });
    assert.equal(store.counts().entries, 0);
  });

  it('writes releases at the end of the turn once too many are pending', async () => {
    const { store, commit, append } = setup({ releaseDelayMs: 10_000, maxPendingReleases: 2 });
    for (let i = 0; i < 4; i++) await append('a/in');
    commit.release('a/in', 0, 0, 1);
    commit.release('a/in', 0, 2, 3); // a gap: a second range, and the limit
    await tick();
    assert.deepEqual(store.writes.at(-1), { appends: 0, releases: 2 });
    assert.equal(store.counts().entries, 2);
  });

  it('flush() writes appends and pending releases at once (shutdown)', async () => {
    const { store, commit, append } = setup({ releaseDelayMs: 10_000, maxPendingReleases: 100 });
    await append('a/in');
    commit.release('a/in', 0, 0, 1);
    const acked = append('a/in');
    commit.flush();
    assert.deepEqual(store.writes.at(-1), { appends: 1, releases: 1 });
    assert.equal(await acked, 2);
    assert.equal(store.counts().entries, 1);
    assert.equal(commit.pending, 0);
  });

  it('waits during a write hold, batching later turns, and commits them together when the store resumes', async () => {
    const { store, append } = setup({ releaseDelayMs: 10_000, maxPendingReleases: 100 });
    await append('a/in');
    store.holdNext = true;
    let acked = 0;
    const first = append('a/in').then(() => acked++);
    await tick();
    assert.ok(store.resume, 'the store was asked and held');
    const asked = store.asked;
    const second = append('b/in').then(() => acked++);
    await tick();
    await tick();
    assert.equal(store.asked, asked, 'not asked again while held');
    assert.equal(acked, 0, 'nothing acknowledged during the hold');
    assert.equal(store.writes.length, 1);
    store.resume();
    await Promise.all([first, second]);
    assert.deepEqual(store.writes.at(-1), { appends: 2, releases: 0 }, 'one transaction for both turns');
    assert.equal(store.counts().entries, 3);
  });

  it('flush() writes during a write hold (shutdown does not wait for it)', async () => {
    const { store, commit, append } = setup({ releaseDelayMs: 10_000, maxPendingReleases: 100 });
    store.holdNext = true;
    const acked = append('a/in');
    await tick();
    assert.ok(store.resume, 'held');
    commit.flush();
    assert.equal(await acked, 1);
    assert.deepEqual(store.writes, [{ appends: 1, releases: 0 }]);
    store.resume(); // late: nothing left to commit
    assert.equal(store.writes.length, 1);
  });
});
