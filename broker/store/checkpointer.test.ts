import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Checkpointer } from './checkpointer.js';
import { Database } from './sqlite-driver.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true, maxRetries: 5 })));

/** A WAL database with automatic checkpoints off (as the store opens it) and a table of 1 KiB rows. */
function walDatabase(): { path: string; db: Database; commit: (rows: number) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'edgehub-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'store.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)');
  const insert = db.prepare('INSERT INTO t (b) VALUES (?)');
  const commit = db.transaction((rows: number) => {
    for (let i = 0; i < rows; i++) insert.run(Buffer.alloc(1024));
  });
  return { path, db, commit };
}

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('Checkpointer', () => {
  it('starts the WAL over through write holds while commits never stop, without a checkpoint on the writer', async () => {
    const { path, db, commit } = walDatabase();
    const walBytes = 64 * 1024;
    const checkpointer = new Checkpointer(
      { path, walBytes },
      () => undefined,
      () => assert.fail('the writer held, so it never had to checkpoint'),
    );
    let held = false;
    let largest = 0;
    let commits = 0;
    try {
      const until = Date.now() + 3000;
      // The writer of the hub: before each commit it asks, and while held it only waits (its batch grows).
      while (Date.now() < until) {
        if (!held && checkpointer.hold(() => (held = false))) held = true;
        if (!held) {
          commit(8);
          commits++;
        }
        largest = Math.max(largest, statSync(`${path}-wal`).size);
        await tick();
      }
      const stats = checkpointer.walStats;
      assert.ok(stats.holds > 0, `${stats.holds} holds over ${commits} commits`);
      assert.equal(stats.catchUps, 0);
      assert.ok(stats.holdSeconds < stats.holds * 0.5, `holds took ${stats.holdSeconds} s`);
      // The WAL starts over after each hold: bounded by what arrives between two passes of the worker (100 ms
      // of 8 KiB commits, ~1 MiB with SQLite's pages); without restarts it would hold all that was written.
      const limit = 4 << 20;
      const written = commits * 8 * 1024;
      assert.ok(written > 2 * limit, `only ${written} bytes written: the test would not see an unbounded WAL`);
      assert.ok(largest < limit, `the WAL reached ${(largest / 2 ** 20).toFixed(1)} MiB`);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('ends a hold when it closes, so held commits are written on the still open connection', async () => {
    const { path, db, commit } = walDatabase();
    const checkpointer = new Checkpointer(
      { path, walBytes: 16 * 1024 },
      () => undefined,
      () => undefined,
    );
    let resumed = 0;
    let held = false;
    const deadline = Date.now() + 5000;
    while (!held && Date.now() < deadline) {
      commit(8);
      await tick();
      // Close before the worker answers: checked right after the hold begins.
      held = checkpointer.hold(() => {
        resumed++;
        commit(1); // the held batch, written while the connection is open
      });
    }
    assert.ok(held, 'the worker asked for a hold');
    const closed = checkpointer.close();
    assert.equal(resumed, 1, 'close ended the hold at once');
    assert.equal(
      checkpointer.hold(() => assert.fail('no hold after close')),
      false,
    );
    await closed;
    db.close();
  });

  it('ends a hold the worker does not finish in time, counts it and says so', async () => {
    const { path, db, commit } = walDatabase();
    const timedOut: number[] = [];
    // 1 ms is less than any hold's pass here: the writer commits 2 MiB per turn, all of which the pass copies.
    const checkpointer = new Checkpointer(
      { path, walBytes: 256 * 1024, holdTimeoutMs: 1, holdTimedOut: (ms) => timedOut.push(ms) },
      () => undefined,
      () => undefined,
    );
    try {
      let held = false;
      let begun = 0;
      let resumed = 0;
      const until = Date.now() + 5000;
      while (timedOut.length === 0 && Date.now() < until) {
        if (!held && checkpointer.hold(() => ((held = false), resumed++))) {
          held = true;
          begun++;
        }
        if (!held) commit(2048);
        await tick();
      }
      while (held && Date.now() < until) await tick();
      const stats = checkpointer.walStats;
      assert.ok(timedOut.length > 0, `no hold timed out in ${begun} holds`);
      assert.equal(stats.holdTimeouts, timedOut.length, 'each timeout counted once');
      // The time held, as waited: a timer due in 1 ms can fire sooner than that by performance.now(), since
      // libuv schedules it from the loop's cached time (Node 24 in CI: 0.28 ms).
      assert.ok(
        timedOut.every((ms) => ms > 0 && ms < 5000),
        `reported after ${timedOut.join(', ')} ms`,
      );
      assert.equal(resumed, begun, 'every held writer was resumed');
      // The late answer of a timed-out hold is not counted as a hold.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(checkpointer.walStats.holds + checkpointer.walStats.holdTimeouts, begun);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('survives a catch-up checkpoint that fails (a full disk) and asks again later', async () => {
    const { path, db, commit } = walDatabase();
    let asked = 0;
    // This writer never asks for holds, so the worker's requests go unanswered and the writer is asked to
    // checkpoint the rest itself: here that throws, as it would on a full disk.
    const checkpointer = new Checkpointer(
      { path, walBytes: 64 * 1024 },
      () => undefined,
      () => {
        asked++;
        throw new Error('SQLITE_FULL: database or disk is full');
      },
    );
    try {
      const deadline = Date.now() + 5000;
      while (asked < 2 && Date.now() < deadline) {
        commit(8);
        await tick();
      }
      assert.ok(asked >= 2, `the catch-up was asked for ${asked} times`);
      assert.equal(checkpointer.walStats.catchUps, asked);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });
});
