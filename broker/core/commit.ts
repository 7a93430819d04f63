// Group commit: everything accepted in one event-loop turn is written in one transaction, and only after that
// transaction commits are the senders acknowledged and the dispatchers told. One WAL append (or fsync) is shared
// by every message of the turn, which is what makes durability cheap (NOTES: 50k rows/s one by one, 190–350k
// rows/s in batches).
//
// A store may ask for a short write hold before a commit (SQLite starting its WAL over, see
// store/checkpointer.ts): the turn's batch then waits, later turns join it, and all commit together when the
// store resumes. The event loop is never blocked by it.
//
// Releases (entries delivered or expired) need no such hurry: until they commit, a crash only means those
// messages are delivered again, which at-least-once allows. So they ride along with the next append commit, or
// are written on their own after `releaseDelayMs`; consecutive ranges of one queue merge into one. (Holding them
// back to write in batches was measured at 2–3 messages per commit: the same mean commit time, a p99 2.5× worse.)
import type { Append, MessageStore, QueueRange } from './ports.js';

export type CommitCallback = (err: Error | null) => void;

export interface CommitHooks {
  /** Called after a successful commit with the appends it made durable, before the senders are acknowledged. */
  readonly committed: (appends: readonly Append[]) => void;
  /** Observability: size and duration of each successful commit. */
  readonly measured?: (appends: number, releases: number, seconds: number) => void;
  /** A commit failed; `appends` senders get the error (they are not acknowledged and will retry). */
  readonly failed?: (err: Error, appends: readonly Append[]) => void;
}

export interface CommitOptions {
  /** How long releases may wait for an append commit to ride with (ms). */
  readonly releaseDelayMs: number;
  /** Past this many pending release ranges they are written at the end of the turn. */
  readonly maxPendingReleases: number;
}

/** A pending release range, still open to extension. */
type OpenRange = { -readonly [K in keyof QueueRange]: QueueRange[K] };

const DEFAULT_OPTIONS: CommitOptions = { releaseDelayMs: 100, maxPendingReleases: 1000 };

export class GroupCommit {
  private appends: Append[] = [];
  private callbacks: CommitCallback[] = [];
  private releases: QueueRange[] = [];
  /** The last pending range of each queue (endpoint, then priority), to extend when the next one follows it. */
  private readonly lastRange = new Map<string, Map<number, OpenRange>>();
  private scheduled = false;
  /** The store asked to wait (holdWrites); `resumeHeld` commits what queued meanwhile. */
  private held = false;
  private readonly resumeHeld = () => {
    this.held = false;
    this.commit(false);
  };
  private releaseTimer: NodeJS.Timeout | undefined;
  private nextMessageId: number;
  private nextSeq: number;
  private lastError: Error | null = null;

  constructor(
    private readonly store: MessageStore,
    private readonly hooks: CommitHooks,
    private readonly opts: CommitOptions = DEFAULT_OPTIONS,
  ) {
    const last = store.lastIds();
    this.nextMessageId = last.messageId + 1;
    this.nextSeq = last.seq + 1;
  }

  /** A fresh message id (store key). */
  messageId(): number {
    return this.nextMessageId++;
  }

  /** A fresh queue sequence number: increasing across all queues, so arrival order is kept per queue. */
  seq(): number {
    return this.nextSeq++;
  }

  /** Queues a message and its entries for the next commit; `done` runs after that commit (or its failure). */
  append(append: Append, done: CommitCallback): void {
    this.appends.push(append);
    this.callbacks.push(done);
    this.schedule();
  }

  /**
   * Queues the removal of the entries of one queue with `afterSeq < seq <= uptoSeq`. The caller vouches that
   * every entry of that queue in the range is done with (delivered or expired).
   */
  release(endpointId: string, priority: number, afterSeq: number, uptoSeq: number): void {
    let byPriority = this.lastRange.get(endpointId);
    if (byPriority === undefined) this.lastRange.set(endpointId, (byPriority = new Map<number, OpenRange>()));
    const last = byPriority.get(priority);
    if (last !== undefined && last.uptoSeq === afterSeq) {
      last.uptoSeq = uptoSeq;
    } else {
      const range = { endpointId, priority, afterSeq, uptoSeq };
      this.releases.push(range);
      byPriority.set(priority, range);
    }
    if (this.releases.length >= this.opts.maxPendingReleases) this.schedule();
    else if (this.appends.length === 0 && this.releaseTimer === undefined) {
      this.releaseTimer = setTimeout(() => this.commit(false), this.opts.releaseDelayMs);
      this.releaseTimer.unref();
    }
  }

  /** Whether the last commit attempt succeeded (readiness). */
  get healthy(): boolean {
    return this.lastError === null;
  }

  get pending(): number {
    return this.appends.length + this.releases.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.commit(false));
  }

  /** Commits what is queued now, even during a store's write hold: on shutdown and reconnects. */
  flush(): void {
    this.commit(true);
  }

  /** Commits what is queued: once per event-loop turn with appends, unless the store holds writes. */
  private commit(force: boolean): void {
    this.scheduled = false;
    if (this.releaseTimer !== undefined) {
      clearTimeout(this.releaseTimer);
      this.releaseTimer = undefined;
    }
    if (this.appends.length === 0 && this.releases.length === 0) return;
    // A commit during the hold would only cost this WAL restart, so shutdown does not wait for it.
    if (!force && (this.held || this.store.holdWrites?.(this.resumeHeld) === true)) {
      this.held = true;
      return;
    }
    const appends = this.appends;
    const callbacks = this.callbacks;
    const releases = this.releases;
    this.appends = [];
    this.callbacks = [];
    this.releases = [];
    this.lastRange.clear();
    const started = performance.now();
    try {
      this.store.write(appends, releases);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.lastError = err;
      // Releases are retried with the next commit; appends are refused to their senders.
      this.releases = releases.concat(this.releases);
      this.hooks.failed?.(err, appends);
      for (const cb of callbacks) cb(err);
      if (this.releases.length > 0) setTimeout(() => this.schedule(), 1000).unref();
      return;
    }
    this.lastError = null;
    this.hooks.measured?.(appends.length, releases.length, (performance.now() - started) / 1000);
    if (appends.length > 0) this.hooks.committed(appends);
    for (const cb of callbacks) cb(null);
  }
}
