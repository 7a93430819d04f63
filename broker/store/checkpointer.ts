// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit crosses the
// threshold and fsyncs the database there: a stall of several milliseconds on the hub's only thread, every
// second or so under load (the latency benchmark's p99). Here the main connection turns automatic checkpoints off
// and a worker thread with its own connection checkpoints in PASSIVE mode (it never blocks writers) whenever the
// WAL has grown.
//
// Starting the WAL over. A PASSIVE pass copies the frames that existed when it began; under sustained load new
// ones arrive meanwhile, so the WAL is never wholly checkpointed and SQLite never starts it over (it grew without
// bound: 2 GB in 25 s of the route benchmark). SQLite starts the WAL over when the writer begins a transaction on
// a wholly checkpointed WAL. So once the WAL holds `walBytes` of frames, the worker runs a second pass at once
// (the frames written during the first) and asks for a *write hold*: the writer's group commit keeps batching but
// does not commit (`hold`), the worker copies the last few frames with no writer behind it, and the writer's next
// commit starts the WAL over. The event loop keeps reading, routing and delivering meanwhile; only the acks of
// the held batch wait (milliseconds). Before this, the writer copied those frames itself, fsyncs included, on the
// event loop: 2-12 ms stalls every ~100 ms under 4 KB load (event-loop delay p99 4 -> 14 ms, see bench/README.md).
//
// A writer that never asks (`hold` is optional for callers of the store) would let the WAL grow again, so a
// commit made while a hold is wanted (`committedUnheld`: the writer did not ask) has the writer's connection
// checkpoint the rest itself at once (`catchUp`), as before; so does the worker's next report if a requested hold
// has still not begun (writes the store does not report, such as twin saves). Waiting for that report alone let
// the WAL reach 14.5 MiB in the store test on CI's machine (limit 12). If the worker fails, automatic
// checkpoints come back, so the WAL stays bounded either way.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SQLITE_DRIVER } from './sqlite-driver.js';

/** The worker checkpoints once the WAL file is larger than this, and the WAL starts over once it holds this much. */
export const DEFAULT_WAL_BYTES = 4 << 20;

export interface CheckpointerOptions {
  /** The database file. */
  readonly path: string;
  /** Checkpoint when the WAL is larger than this many bytes… */
  readonly walBytes?: number;
  /** …or this long after the last checkpoint, if the WAL holds anything. */
  readonly maxIntervalMs?: number;
  /** Called when the worker stops unexpectedly (after automatic checkpoints were turned back on). */
  readonly failed?: (err: Error) => void;
  /** A write hold ends anyway after this long without the worker's answer (default 1 s). */
  readonly holdTimeoutMs?: number;
  /** Called when a hold ended that way: a stuck or very slow worker; commits go on, the WAL may grow. */
  readonly holdTimedOut?: (ms: number) => void;
}

// The worker is plain JavaScript evaluated in the thread, so it runs the same from the TypeScript sources and
// from the compiled image. It loads the same better-sqlite3 as the main thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
const pageSize = db.pragma('page_size', { simple: true });
const passive = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
let last = Date.now();
// Whether this writer has held before, and when a hold was last asked for (the writer's next commit starts it).
let writerHolds = false;
let asked = 0;
const tick = () => {
  // A hold is about to begin (this writer holds: it did before): a pass now would only make it wait.
  if (asked !== 0 && writerHolds && Date.now() - asked < 100) return;
  let size = 0;
  try { size = statSync(workerData.path + '-wal').size; } catch { return; }
  if (size === 0) return;
  if (size < workerData.walBytes && Date.now() - last < workerData.maxIntervalMs) return;
  let r = passive();
  const walFull = r.busy === 0 && r.log * pageSize >= workerData.walBytes;
  // Frames written during that pass: copied now, so that a write hold has little left to copy.
  let written = 0;
  if (walFull) {
    const first = r.log;
    r = passive();
    written = r.log - first;
  }
  last = Date.now();
  if (written > 0) asked = last;
  parentPort.postMessage({ kind: 'pass', busy: r.busy, log: r.log, checkpointed: r.checkpointed, walFull, written });
};
const timer = setInterval(tick, 100);
parentPort.on('message', (m) => {
  if (m === 'hold') {
    // The writer holds its commits: this pass copies every frame left, and its next commit starts the WAL over.
    asked = 0;
    writerHolds = true;
    passive();
    parentPort.postMessage({ kind: 'held' });
  } else if (m === 'close') { clearInterval(timer); tick(); db.close(); parentPort.close(); }
});
`;

/** What the worker reports: SQLite's checkpoint row (frames in the WAL, frames copied) and what it means. */
type WorkerReport =
  | {
      readonly kind: 'pass';
      readonly busy: number;
      readonly log: number;
      readonly checkpointed: number;
      /** The WAL held at least `walBytes` of frames: time to start it over. */
      readonly walFull: boolean;
      /** Frames the writer added during the first pass of a full WAL (0: the writer is idle, no hold needed). */
      readonly written: number;
    }
  /** The hold's pass is done: the writer's next commit starts the WAL over. */
  | { readonly kind: 'held' };

/** How the WAL was started over, for the metrics. */
export interface WalStats {
  /** Checkpoints the worker ran (a full WAL takes two in a row, and a hold one more). */
  readonly checkpoints: number;
  /** Write holds (each lets the next commit start the WAL over). */
  readonly holds: number;
  /** Time commits waited in write holds. */
  readonly holdSeconds: number;
  /** Checkpoints of the rest run on the writer's connection, because a requested hold did not begin. */
  readonly catchUps: number;
  /** Holds that ended without the worker's answer (HOLD_TIMEOUT_MS). */
  readonly holdTimeouts: number;
}

/** The figures with automatic checkpoints (no worker). */
export const NO_WAL_STATS: WalStats = { checkpoints: 0, holds: 0, holdSeconds: 0, catchUps: 0, holdTimeouts: 0 };

/** A hold that does not end in this time ends anyway (a stuck worker must not stop commits). */
const HOLD_TIMEOUT_MS = 1000;

export class Checkpointer {
  private readonly worker: Worker;
  private closing: Promise<void> | undefined;
  /** The worker asked for a hold that the writer has not begun. */
  private holdWanted = false;
  /** The writer holds; called when the hold ends. */
  private resumers: (() => void)[] = [];
  private holdStarted = 0;
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly stats = { ...NO_WAL_STATS };
  private readonly holdTimeoutMs: number;
  private readonly holdTimedOut: ((ms: number) => void) | undefined;

  /**
   * @param restoreAutomatic turns SQLite's automatic checkpoints back on (the worker failed)
   * @param catchUp checkpoints what the worker left behind on the writer's connection, between commits, for a
   *   writer that does not hold
   */
  constructor(
    opts: CheckpointerOptions,
    private readonly restoreAutomatic: () => void,
    private readonly catchUp: () => void,
  ) {
    this.holdTimeoutMs = opts.holdTimeoutMs ?? HOLD_TIMEOUT_MS;
    this.holdTimedOut = opts.holdTimedOut;
    const driver = createRequire(import.meta.url).resolve(SQLITE_DRIVER);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path: opts.path,
        driver,
        walBytes: opts.walBytes ?? DEFAULT_WAL_BYTES,
        maxIntervalMs: opts.maxIntervalMs ?? 1000,
      },
    });
    this.worker.unref();
    this.worker.on('message', (r: WorkerReport) => this.report(r));
    const fail = (err: Error) => {
      if (this.closing) return;
      this.restoreAutomatic();
      this.endHold();
      opts.failed?.(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`checkpoint worker exited with code ${code}`)));
  }

  get walStats(): WalStats {
    return { ...this.stats };
  }

  /**
   * Asked by the writer before each commit. True: do not commit now; `resume` is called once when the hold ends
   * (within milliseconds, at most HOLD_TIMEOUT_MS). False: commit.
   */
  hold(resume: () => void): boolean {
    if (this.resumers.length > 0) {
      this.resumers.push(resume);
      return true;
    }
    if (!this.holdWanted || this.closing) return false;
    this.holdWanted = false;
    this.resumers.push(resume);
    this.holdStarted = performance.now();
    this.holdTimer = setTimeout(() => this.timedOut(), this.holdTimeoutMs);
    this.holdTimer.unref();
    this.worker.postMessage('hold');
    return true;
  }

  /**
   * Told by the store after a commit that did not go through `hold` (a writer that does not hold): if a hold is
   * wanted, the writer checkpoints the rest now rather than at the worker's next report.
   */
  committedUnheld(): void {
    if (this.holdWanted && this.resumers.length === 0) this.catchUpUnheld();
  }

  private report(r: WorkerReport): void {
    if (r.kind === 'held') {
      this.stats.checkpoints++;
      if (this.resumers.length > 0) {
        this.stats.holds++;
        this.stats.holdSeconds += (performance.now() - this.holdStarted) / 1000;
      }
      this.endHold();
      return;
    }
    this.stats.checkpoints += r.walFull ? 2 : 1;
    if (!r.walFull || r.written === 0 || this.closing || this.resumers.length > 0) return;
    if (!this.holdWanted) {
      this.holdWanted = true;
      return;
    }
    // The hold asked for one pass ago never began: the writer does not hold (or wrote around the store).
    this.catchUpUnheld();
  }

  /** The wanted hold will not begin: the writer copies the rest itself, between commits. */
  private catchUpUnheld(): void {
    this.holdWanted = false;
    if (this.closing) return;
    this.stats.catchUps++;
    try {
      this.catchUp();
    } catch {
      // A full disk or an I/O error: the WAL keeps its frames, the next pass tries again, and the commit path
      // reports the condition itself; a message handler must not throw (it would end the process).
    }
  }

  /** The worker did not answer the hold in time: the commits go on; its late answer is then only a pass. */
  private timedOut(): void {
    const ms = performance.now() - this.holdStarted;
    this.stats.holdTimeouts++;
    this.stats.holdSeconds += ms / 1000;
    this.endHold();
    this.holdTimedOut?.(ms);
  }

  /** Ends the hold, if any: the held commits go ahead. */
  private endHold(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const resumers = this.resumers;
    this.resumers = [];
    for (const resume of resumers) resume();
  }

  /** Runs a last checkpoint and stops the worker; every call resolves when the worker is gone. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    this.holdWanted = false;
    this.endHold(); // synchronously: held commits are written while the writer's connection is still open
    this.worker.ref(); // keep the process alive for the last checkpoint
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
