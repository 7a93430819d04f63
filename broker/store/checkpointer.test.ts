import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Checkpointer } from './checkpointer.js';
import { Database } from './sqlite-driver.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true, maxRetries: 5 })));

describe('Checkpointer', () => {
  it('survives a catch-up checkpoint that fails (a full disk) and asks again after the next pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgehub-ckpt-'));
    dirs.push(dir);
    const path = join(dir, 'store.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)');
    const insert = db.prepare('INSERT INTO t (b) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 256; i++) insert.run(Buffer.alloc(1024));
    })();
    let asked = 0;
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
      // New frames before every pass keep the WAL full, so every pass asks for the catch-up.
      while (asked < 2 && Date.now() < deadline) {
        db.transaction(() => {
          for (let i = 0; i < 64; i++) insert.run(Buffer.alloc(1024));
        })();
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(asked >= 2, `the catch-up was asked for ${asked} times`);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });
});
