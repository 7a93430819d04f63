// The store on SQLite (better-sqlite3): WAL mode, messages stored once, one entry per endpoint queue.
// All writes of one event-loop turn arrive here as one `write` call, i.e. one transaction (group commit).
import { Database } from './sqlite-driver.js';
import { statSync } from 'node:fs';
import type { ApplicationProperties, SystemProperties } from '../core/message.js';
import type {
  Append,
  ExpiryScan,
  MessageStore,
  QueueEntry,
  QueueRange,
  QueueSummary,
  SessionStore,
} from '../core/ports.js';
import type { TwinObject } from '../twin/document.js';
import type { TwinRecord, TwinStore } from '../twin/twins.js';
import { Checkpointer, DEFAULT_WAL_BYTES, NO_WAL_STATS, type WalStats } from './checkpointer.js';
import { migrate } from './schema.js';

export type Durability = 'normal' | 'full';

export interface SqliteStoreOptions {
  /** Path of the database file. */
  readonly path: string;
  /**
   * `normal` (default): a commit survives a crash of the process (the WAL is written before the ack), as the
   * reference hub's RocksDB default does; `full`: also survives power loss (fsync per group commit).
   */
  readonly durability?: Durability;
  /**
   * `worker` (default): WAL checkpoints run in a worker thread, off the event loop; `automatic`: SQLite's own,
   * inside commits. `onCheckpointFailure` hears when the worker stops (automatic checkpoints take over).
   */
  readonly checkpoints?: 'worker' | 'automatic';
  readonly onCheckpointFailure?: (err: Error) => void;
  /** Hears when a write hold ended without the worker's answer (after `ms`): a stuck or very slow worker. */
  readonly onWriteHoldTimeout?: (ms: number) => void;
  /** The worker checkpoints once the WAL is larger than this, and the WAL starts over once it holds this much (default 4 MiB). */
  readonly checkpointWalBytes?: number;
}

/** Single-entry messages written by one multi-row INSERT (bench/store measures it too), and the columns each binds. */
export const INLINE_RUN = 16;
const INLINE_COLUMNS = 7;

/** How many consecutive single-entry messages begin at `appends[from]`, counting up to INLINE_RUN. */
function singleEntriesAhead(appends: readonly Append[], from: number): number {
  const end = Math.min(appends.length, from + INLINE_RUN);
  let i = from;
  while (i < end && appends[i]!.entries.length === 1) i++;
  return i - from;
}

interface Header {
  p: ApplicationProperties;
  s: SystemProperties;
}

interface EntryRow {
  seq: number;
  expires_ms: number;
  id: number;
  enqueued_ms: number;
  header: string;
  body: Buffer;
}

export class SqliteStore implements MessageStore, SessionStore, TwinStore {
  readonly path: string;
  private readonly db: Database;
  private readonly endpointIds = new Map<string, number>();
  private readonly checkpointer: Checkpointer | undefined;
  private readonly stmt;

  constructor(opts: SqliteStoreOptions) {
    this.path = opts.path;
    this.db = new Database(opts.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = OFF');
    migrate(this.db);
    if (opts.checkpoints !== 'automatic') {
      this.db.pragma('wal_autocheckpoint = 0');
      const walBytes = opts.checkpointWalBytes ?? DEFAULT_WAL_BYTES;
      // When the WAL starts over, a file grown past this during a burst is cut back (disk space, page cache).
      this.db.pragma(`journal_size_limit = ${2 * walBytes}`);
      this.checkpointer = new Checkpointer(
        {
          path: opts.path,
          failed: opts.onCheckpointFailure,
          holdTimedOut: opts.onWriteHoldTimeout,
          walBytes,
        },
        () => this.db.open && this.db.pragma('wal_autocheckpoint = 1000'),
        () => this.db.open && !this.db.inTransaction && this.db.pragma('wal_checkpoint(PASSIVE)'),
      );
    }
    for (const row of this.db.prepare('SELECT id, name FROM endpoint').all() as { id: number; name: string }[]) {
      this.endpointIds.set(row.name, row.id);
    }
    const db = this.db;
    this.stmt = {
      insertEndpoint: db.prepare('INSERT INTO endpoint (name) VALUES (?)'),
      insertMessage: db.prepare('INSERT INTO message (id, refs, enqueued_ms, header, body) VALUES (?, ?, ?, ?, ?)'),
      insertInline: db.prepare(
        'INSERT INTO entry (seq, endpoint, priority, expires_ms, enqueued_ms, header, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      insertInlineRun: db.prepare(
        'INSERT INTO entry (seq, endpoint, priority, expires_ms, enqueued_ms, header, body) VALUES ' +
          Array.from({ length: INLINE_RUN }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', '),
      ),
      insertShared: db.prepare(
        'INSERT INTO entry (seq, endpoint, priority, expires_ms, message) VALUES (?, ?, ?, ?, ?)',
      ),
      deleteEntries: db.prepare('DELETE FROM entry WHERE endpoint = ? AND priority = ? AND seq > ? AND seq <= ?'),
      readQueue: db.prepare(
        `SELECT e.seq, e.expires_ms, IFNULL(e.message, 0) AS id, IFNULL(e.enqueued_ms, m.enqueued_ms) AS enqueued_ms,
                IFNULL(e.header, m.header) AS header, IFNULL(e.body, m.body) AS body
         FROM entry e LEFT JOIN message m ON m.id = e.message
         WHERE e.endpoint = ? AND e.priority = ? AND e.seq > ? ORDER BY e.seq LIMIT ?`,
      ),
      scanQueue: db.prepare(
        `SELECT e.seq, e.expires_ms, CASE WHEN e.expires_ms BETWEEN 1 AND ? THEN IFNULL(e.header, m.header) END AS header
         FROM entry e LEFT JOIN message m ON m.id = e.message
         WHERE e.endpoint = ? AND e.priority = ? AND e.seq > ? ORDER BY e.seq LIMIT ?`,
      ),
      queues: db.prepare(
        `SELECT p.name AS endpointId, e.priority AS priority, COUNT(*) AS count
         FROM entry e JOIN endpoint p ON p.id = e.endpoint GROUP BY e.endpoint, e.priority`,
      ),
      lastIds: db.prepare(
        'SELECT (SELECT IFNULL(MAX(id), 0) FROM message) AS messageId, (SELECT IFNULL(MAX(seq), 0) FROM entry) AS seq',
      ),
      counts: db.prepare(
        `SELECT (SELECT COUNT(*) FROM message) + (SELECT COUNT(*) FROM entry WHERE message IS NULL) AS messages,
                (SELECT COUNT(*) FROM entry) AS entries`,
      ),
      probe: db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', ?)"),
      subscriptions: db.prepare('SELECT topic, qos FROM mqtt_subscription WHERE client_id = ?'),
      addSubscription: db.prepare('INSERT OR REPLACE INTO mqtt_subscription (client_id, topic, qos) VALUES (?, ?, ?)'),
      removeSubscription: db.prepare('DELETE FROM mqtt_subscription WHERE client_id = ? AND topic = ?'),
      clearSubscriptions: db.prepare('DELETE FROM mqtt_subscription WHERE client_id = ?'),
      twins: db.prepare('SELECT id, desired, desired_version, reported, reported_version FROM twin'),
      saveTwin: db.prepare(
        'INSERT OR REPLACE INTO twin (id, desired, desired_version, reported, reported_version) VALUES (?, ?, ?, ?, ?)',
      ),
    };
    // One statement per run of INLINE_RUN single-entry messages instead of one `run` each: 3.6 → 3.2 µs per 200 B
    // message in the hub's profile (bench/README.md, 2026-12-07); the parameters go in one array, reused.
    const runParams: unknown[] = new Array<unknown>(INLINE_COLUMNS * INLINE_RUN);
    this.writeTx = db.transaction((appends: readonly Append[], releases: readonly QueueRange[]) => {
      let inRun = 0;
      /** Appends before this index go one `run` each: fewer than INLINE_RUN single-entry messages were ahead. */
      let singlyUntil = 0;
      for (let i = 0; i < appends.length; i++) {
        const a = appends[i]!;
        const m = a.message;
        const header = JSON.stringify({ p: m.properties, s: m.systemProperties } satisfies Header);
        if (a.entries.length === 1) {
          const e = a.entries[0]!;
          const endpoint = this.endpointNumber(e.endpointId);
          if (inRun === 0 && i >= singlyUntil) {
            const ahead = singleEntriesAhead(appends, i);
            if (ahead < INLINE_RUN) singlyUntil = i + ahead;
          }
          if (inRun === 0 && i < singlyUntil) {
            this.stmt.insertInline.run(e.seq, endpoint, e.priority, e.expiresMs, m.enqueuedMs, header, m.body);
            continue;
          }
          const o = INLINE_COLUMNS * inRun;
          runParams[o] = e.seq;
          runParams[o + 1] = endpoint;
          runParams[o + 2] = e.priority;
          runParams[o + 3] = e.expiresMs;
          runParams[o + 4] = m.enqueuedMs;
          runParams[o + 5] = header;
          runParams[o + 6] = m.body;
          if (++inRun === INLINE_RUN) {
            this.stmt.insertInlineRun.run(runParams);
            inRun = 0;
          }
          continue;
        }
        this.stmt.insertMessage.run(m.id, a.entries.length, m.enqueuedMs, header, m.body);
        for (const e of a.entries) {
          this.stmt.insertShared.run(e.seq, this.endpointNumber(e.endpointId), e.priority, e.expiresMs, m.id);
        }
      }
      // A run is only begun with INLINE_RUN single-entry messages ahead, so none is left open here.
      runParams.fill(undefined);
      for (const r of releases) {
        const endpoint = this.endpointIds.get(r.endpointId);
        if (endpoint !== undefined) this.stmt.deleteEntries.run(endpoint, r.priority, r.afterSeq, r.uptoSeq);
      }
    });
  }

  private readonly writeTx: (appends: readonly Append[], releases: readonly QueueRange[]) => void;

  private endpointNumber(name: string): number {
    let id = this.endpointIds.get(name);
    if (id === undefined) {
      id = Number(this.stmt.insertEndpoint.run(name).lastInsertRowid);
      this.endpointIds.set(name, id);
    }
    return id;
  }

  write(appends: readonly Append[], releases: readonly QueueRange[]): void {
    try {
      this.writeTx(appends, releases);
      // A group commit asked holdWrites first and, if a hold was wanted, did not get here; any other caller did not ask.
      this.checkpointer?.committedUnheld();
    } catch (err) {
      // A failed transaction may have added endpoints to the map that were rolled back.
      this.endpointIds.clear();
      for (const row of this.db.prepare('SELECT id, name FROM endpoint').all() as { id: number; name: string }[]) {
        this.endpointIds.set(row.name, row.id);
      }
      throw err;
    }
  }

  readQueue(endpointId: string, priority: number, afterSeq: number, limit: number): QueueEntry[] {
    const endpoint = this.endpointIds.get(endpointId);
    if (endpoint === undefined) return [];
    const rows = this.stmt.readQueue.all(endpoint, priority, afterSeq, limit) as EntryRow[];
    return rows.map((r) => {
      const h = JSON.parse(r.header) as Header;
      return {
        endpointId,
        priority,
        seq: r.seq,
        expiresMs: r.expires_ms,
        message: { id: r.id, properties: h.p, systemProperties: h.s, body: r.body, enqueuedMs: r.enqueued_ms },
      };
    });
  }

  scanExpired(endpointId: string, priority: number, afterSeq: number, limit: number, now: number): ExpiryScan {
    const endpoint = this.endpointIds.get(endpointId);
    if (endpoint === undefined) return { scanned: 0, lastSeq: afterSeq, expired: [] };
    const rows = this.stmt.scanQueue.all(now, endpoint, priority, afterSeq, limit) as {
      seq: number;
      header: string | null;
    }[];
    const expired = [];
    for (const r of rows) {
      if (r.header !== null) expired.push({ seq: r.seq, systemProperties: (JSON.parse(r.header) as Header).s });
    }
    return { scanned: rows.length, lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : afterSeq, expired };
  }

  queues(): QueueSummary[] {
    return this.stmt.queues.all() as QueueSummary[];
  }

  /** Rows in the store: distinct messages and queue entries. */
  counts(): { messages: number; entries: number } {
    return this.stmt.counts.get() as { messages: number; entries: number };
  }

  lastIds(): { messageId: number; seq: number } {
    return this.stmt.lastIds.get() as { messageId: number; seq: number };
  }

  sizeOnDisk(): number {
    let size = 0;
    for (const suffix of ['', '-wal']) {
      try {
        size += statSync(this.path + suffix).size;
      } catch {
        // the WAL file may not exist
      }
    }
    return size;
  }

  /** A small committed write that proves the store is writable (readiness): throws when it is not. */
  checkWritable(): void {
    this.stmt.probe.run(String(Date.now()));
  }

  subscriptions(clientId: string): { topic: string; qos: number }[] {
    return this.stmt.subscriptions.all(clientId) as { topic: string; qos: number }[];
  }

  addSubscriptions(clientId: string, subs: readonly { topic: string; qos: number }[]): void {
    this.db.transaction(() => {
      for (const s of subs) this.stmt.addSubscription.run(clientId, s.topic, s.qos);
    })();
  }

  removeSubscriptions(clientId: string, topics: readonly string[]): void {
    this.db.transaction(() => {
      for (const t of topics) this.stmt.removeSubscription.run(clientId, t);
    })();
  }

  clearSubscriptions(clientId: string): void {
    this.stmt.clearSubscriptions.run(clientId);
  }

  twins(): TwinRecord[] {
    const rows = this.stmt.twins.all() as {
      id: string;
      desired: string;
      desired_version: number;
      reported: string;
      reported_version: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      desired: JSON.parse(r.desired) as TwinObject,
      desiredVersion: r.desired_version,
      reported: JSON.parse(r.reported) as TwinObject,
      reportedVersion: r.reported_version,
    }));
  }

  saveTwin(t: TwinRecord): void {
    this.stmt.saveTwin.run(
      t.id,
      JSON.stringify(t.desired),
      t.desiredVersion,
      JSON.stringify(t.reported),
      t.reportedVersion,
    );
  }

  /** WAL checkpoints the worker has run. */
  get checkpoints(): number {
    return this.walStats().checkpoints;
  }

  /** How the WAL was checkpointed and started over (zeros with automatic checkpoints). */
  walStats(): WalStats {
    return this.checkpointer?.walStats ?? NO_WAL_STATS;
  }

  /** See MessageStore.holdWrites: true while the checkpoint worker copies the WAL's last frames. */
  holdWrites(resume: () => void): boolean {
    return this.checkpointer?.hold(resume) ?? false;
  }

  /**
   * Closes the main connection now; the checkpoint worker finishes and exits in the background, so files in the
   * data folder may still change for a moment. `shutdown()` (also after `close()`) waits for it.
   */
  close(): void {
    void this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }

  /** Closes after a last checkpoint, so the next start finds a short WAL. */
  async shutdown(): Promise<void> {
    await this.checkpointer?.close();
    if (this.db.open) this.db.close();
  }
}
