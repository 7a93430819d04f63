// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit crosses the
// threshold and fsyncs the database there: a stall of several milliseconds on the hub's only thread, every
// second or so under load (the latency benchmark's p99). Here the main connection turns automatic checkpoints off
// and a worker thread with its own connection checkpoints in PASSIVE mode (it never blocks writers) whenever the
// WAL has grown. A PASSIVE pass copies the frames that existed when it began; under sustained load new ones
// arrive meanwhile, so the WAL is never wholly checkpointed, SQLite never starts it over, and it grew without
// bound (2 GB in 25 s of the route benchmark). SQLite starts the WAL over only when the writer begins a
// transaction on a wholly checkpointed WAL, so after a pass over a WAL that holds `walBytes` of frames the
// writer itself checkpoints the rest between two commits (`finish`): the frames written during the pass, and
// SQLite's fsyncs on the event loop (milliseconds: under 4 KB load the hub's event-loop delay p99 goes from 4
// to 14 ms, see bench/README.md). If the worker fails, automatic checkpoints come back, so the WAL stays
// bounded.
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
let last = Date.now();
const tick = () => {
  let size = 0;
  try { size = statSync(workerData.path + '-wal').size; } catch { return; }
  if (size === 0) return;
  if (size < workerData.walBytes && Date.now() - last < workerData.maxIntervalMs) return;
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  last = Date.now();
  parentPort.postMessage({ busy: r.busy, log: r.log, checkpointed: r.checkpointed, walFull: r.log * pageSize >= workerData.walBytes });
};
const timer = setInterval(tick, 100);
parentPort.on('message', (m) => {
  if (m === 'close') { clearInterval(timer); tick(); db.close(); parentPort.close(); }
});
`;

/** What a worker pass reports: SQLite's checkpoint row (frames in the WAL, frames copied), and whether it is full. */
interface PassResult {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
  /** The WAL held at least `walBytes` of frames: time to start it over. */
  readonly walFull: boolean;
}

export class Checkpointer {
  private readonly worker: Worker;
  private closing: Promise<void> | undefined;
  /** Worker passes done (diagnostics). */
  checkpoints = 0;

  /**
   * @param restoreAutomatic turns SQLite's automatic checkpoints back on (the worker failed)
   * @param finish checkpoints what a worker pass left behind, on the writer's connection, between commits
   */
  constructor(
    opts: CheckpointerOptions,
    private readonly restoreAutomatic: () => void,
    finish: () => void,
  ) {
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
    this.worker.on('message', (r: PassResult) => {
      this.checkpoints++;
      if (r.busy !== 0 || !r.walFull || this.closing) return;
      try {
        finish();
      } catch {
        // A full disk or an I/O error: the WAL keeps its frames, the next pass tries again, and the commit path
        // reports the condition itself; a message handler must not throw (it would end the process).
      }
    });
    const fail = (err: Error) => {
      if (this.closing) return;
      this.restoreAutomatic();
      opts.failed?.(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`checkpoint worker exited with code ${code}`)));
  }

  /** Runs a last checkpoint and stops the worker; every call resolves when the worker is gone. */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    this.worker.ref(); // keep the process alive for the last checkpoint
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
