// One endpoint's delivery loop: it pulls entries from its queues in priority, then arrival order, hands them to
// the attached target (a connected module, later an upstream link), and releases each entry when the receiver
// acknowledges it. At-least-once: what was handed out but not acknowledged is handed out again after a
// reconnect or a restart. Expired entries are dropped and counted, never delivered.
import type { Sink } from '../../routing/index.js';
import type { GroupCommit } from './commit.js';
import type { SystemProperties } from './message.js';
import type { MessageStore, QueueEntry } from './ports.js';

/** Where an endpoint's messages go while a receiver is connected. */
export interface DeliveryTarget {
  /** For logs: who receives (e.g. the MQTT client id). */
  readonly name: string;
  /**
   * Sends one entry; calls `acked` once the receiver acknowledged it. Throws, having sent nothing, when this
   * entry cannot be sent (the dispatcher then drops it and reports it; the next entries go on).
   */
  deliver(entry: QueueEntry, sink: Sink, acked: () => void): void;
}

export interface DispatcherHooks {
  /** The receiver acknowledged `entry`, `sendSeconds` after it was handed to it. */
  readonly delivered?: (entry: QueueEntry, target: DeliveryTarget, sendSeconds: number) => void;
  /** An entry dropped because its TTL passed; `sender` holds the original sender's system properties. */
  readonly expired?: (endpointId: string, priority: number, sender: SystemProperties) => void;
  /** An entry dropped because the target could not send it (`deliver` threw): it fails alone. */
  readonly failed?: (entry: QueueEntry, target: DeliveryTarget, err: Error) => void;
}

export interface DispatcherOptions {
  /** Entries handed out and not yet acknowledged, at most. */
  readonly window: number;
  /** Entries read from the store at a time. */
  readonly readBatch: number;
  /** Entries kept in memory per queue while the receiver keeps up; beyond that they are re-read from the store. */
  readonly bufferLimit: number;
  /**
   * Bytes those entries may hold per queue (bodies plus a per-entry allowance). A receiver that stops
   * acknowledging keeps its queue's buffer full for good: 2,000 entries of up to 256 KiB each without this.
   */
  readonly bufferBytes: number;
  readonly now: () => number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  window: 100,
  readBatch: 500,
  bufferLimit: 2000,
  bufferBytes: 1 << 20,
  now: Date.now,
};

/** What an entry held in memory is counted as: its body and an allowance for its properties and bookkeeping. */
function entryBytes(entry: QueueEntry): number {
  return entry.message.body.length + 256;
}

/** One (endpoint, priority) queue as the dispatcher sees it. */
class QueueState {
  /** Entries stored and not yet handed out, in order; `head` is the next one. */
  buffer: QueueEntry[] = [];
  head = 0;
  /** Memory the entries from `head` on hold (entryBytes). */
  bytes = 0;
  /** True when `buffer` holds every stored entry after `cursor`'s start, so the store need not be read. */
  complete = false;
  /** Highest seq read from the store or received after commit. */
  cursor = 0;
  /** Entries in the store not yet released (the queue length). */
  length = 0;
  /** Where the expiry sweep continues. */
  sweepCursor = 0;
  /** Seqs handed out to the current connection, in order, from `handedHead`. */
  private handed: number[] = [];
  private handedHead = 0;
  /** Handed-out seqs finished before an earlier one (acknowledgements out of order). */
  private finishedAhead = new Set<number>();
  /** Every entry of this queue up to this seq is released (or queued for release). */
  released = 0;

  constructor(readonly priority: number) {}

  /** Forgets the connection's state; reading starts again after the last released entry. */
  reset(): number[] {
    const orphans = [...this.finishedAhead];
    this.buffer = [];
    this.head = 0;
    this.bytes = 0;
    this.complete = false;
    this.cursor = this.released;
    this.handed = [];
    this.handedHead = 0;
    this.finishedAhead.clear();
    return orphans;
  }

  handOut(seq: number): void {
    this.handed.push(seq);
  }

  /** Marks `seq` finished; returns the new end of the finished prefix when it grew, else undefined. */
  finish(seq: number): number | undefined {
    if (this.handed[this.handedHead] !== seq) {
      this.finishedAhead.add(seq);
      return undefined;
    }
    let upto = seq;
    this.handedHead++;
    while (this.handedHead < this.handed.length && this.finishedAhead.delete(this.handed[this.handedHead]!)) {
      upto = this.handed[this.handedHead++]!;
    }
    if (this.handedHead === this.handed.length) {
      this.handed = [];
      this.handedHead = 0;
    }
    return upto;
  }

  take(): QueueEntry | undefined {
    if (this.head >= this.buffer.length) return undefined;
    const entry = this.buffer[this.head++]!;
    this.bytes -= entryBytes(entry);
    if (this.head === this.buffer.length) {
      this.buffer = [];
      this.head = 0;
      this.bytes = 0;
    }
    return entry;
  }
}

export class Dispatcher {
  private readonly queues = new Map<number, QueueState>();
  private priorities: number[] = [];
  private target: DeliveryTarget | undefined;
  /** Bumped on every attach/detach, so acknowledgements from an old connection are ignored. */
  private generation = 0;
  private inflight = 0;
  private pumping = false;

  constructor(
    readonly endpointId: string,
    public sink: Sink,
    private readonly store: MessageStore,
    private readonly commit: GroupCommit,
    private readonly hooks: DispatcherHooks = {},
    private readonly opts: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS,
  ) {}

  get connected(): boolean {
    return this.target !== undefined;
  }

  /** Entries waiting (stored, not yet acknowledged), over all priorities. */
  get length(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Memory held by entries read or pushed and not yet handed out, over all priorities (entryBytes). */
  get bufferedBytes(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.bytes;
    return n;
  }

  lengths(): { priority: number; length: number }[] {
    return this.priorities.map((p) => ({ priority: p, length: this.queues.get(p)!.length }));
  }

  private queue(priority: number): QueueState {
    let q = this.queues.get(priority);
    if (!q) {
      q = new QueueState(priority);
      this.queues.set(priority, q);
      this.priorities = [...this.queues.keys()].sort((a, b) => a - b);
    }
    return q;
  }

  /** Counts entries found in the store at start; they are read when a receiver attaches. */
  restore(priority: number, count: number): void {
    const q = this.queue(priority);
    q.length += count;
  }

  /** A committed entry for this endpoint. */
  appended(entry: QueueEntry): void {
    const q = this.queue(entry.priority);
    q.length++;
    if (this.target === undefined || entry.seq <= q.cursor) return;
    const bytes = entryBytes(entry);
    if (q.complete && q.buffer.length - q.head < this.opts.bufferLimit && q.bytes + bytes <= this.opts.bufferBytes) {
      q.buffer.push(entry);
      q.bytes += bytes;
      q.cursor = entry.seq;
    } else {
      q.complete = false;
    }
    this.pump();
  }

  attach(target: DeliveryTarget): void {
    this.target = target;
    this.generation++;
    this.inflight = 0;
    // Re-read after what is released: whatever the previous connection did not acknowledge is sent again.
    this.resetQueues();
    this.pump();
  }

  detach(target: DeliveryTarget): void {
    if (this.target !== target) return;
    this.target = undefined;
    this.generation++;
    this.inflight = 0;
    this.resetQueues();
  }

  private resetQueues(): void {
    for (const q of this.queues.values()) {
      // Acknowledged out of order and not yet part of a released range: released one by one.
      for (const seq of q.reset()) this.commit.release(this.endpointId, q.priority, seq - 1, seq);
    }
  }

  private next(): QueueEntry | undefined {
    for (const p of this.priorities) {
      const q = this.queues.get(p)!;
      let entry = q.take();
      if (entry === undefined && !q.complete && q.length > 0) {
        const batch = this.store.readQueue(this.endpointId, p, q.cursor, this.opts.readBatch);
        // Only the prefix within bufferBytes is kept (at least one entry); the rest is read again when needed.
        let bytes = 0;
        let keep = 0;
        while (keep < batch.length && (keep === 0 || bytes + entryBytes(batch[keep]!) <= this.opts.bufferBytes)) {
          bytes += entryBytes(batch[keep++]!);
        }
        if (batch.length < this.opts.readBatch && keep === batch.length) q.complete = true;
        if (keep > 0) {
          batch.length = keep;
          q.buffer = batch;
          q.head = 0;
          q.bytes = bytes;
          q.cursor = batch[keep - 1]!.seq;
          entry = q.take();
        }
      } else if (entry === undefined && q.length === 0) {
        q.complete = true;
      }
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const now = this.opts.now();
      while (this.target !== undefined && this.inflight < this.opts.window) {
        const entry = this.next();
        if (entry === undefined) break;
        if (entry.expiresMs !== 0 && entry.expiresMs <= now) {
          this.drop(entry);
          continue;
        }
        this.send(this.target, entry);
      }
    } finally {
      this.pumping = false;
    }
  }

  private send(target: DeliveryTarget, entry: QueueEntry): void {
    this.queue(entry.priority).handOut(entry.seq);
    this.inflight++;
    const generation = this.generation;
    const sentAt = performance.now();
    let settled = false;
    try {
      target.deliver(entry, this.sink, () => {
        // From a connection that is gone (it will be resent), or for an entry that already failed.
        if (generation !== this.generation || settled) return;
        settled = true;
        this.inflight--;
        this.release(entry);
        this.hooks.delivered?.(entry, target, (performance.now() - sentAt) / 1000);
        this.pump();
      });
    } catch (e) {
      // One message that cannot be sent (a poison message stored by an earlier version, say) fails alone: it is
      // released, as an expired one is, and reported; the queue goes on. It never takes the process down.
      if (settled) return;
      settled = true;
      this.inflight--;
      this.release(entry);
      this.hooks.failed?.(entry, target, e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** A handed-out entry is done with: the finished prefix of its queue is released as one range. */
  private release(entry: QueueEntry): void {
    const q = this.queue(entry.priority);
    const upto = q.finish(entry.seq);
    if (upto !== undefined) {
      this.commit.release(this.endpointId, q.priority, q.released, upto);
      q.released = upto;
    }
    q.length = Math.max(0, q.length - 1);
  }

  private drop(entry: QueueEntry): void {
    this.queue(entry.priority).handOut(entry.seq);
    this.release(entry);
    this.hooks.expired?.(this.endpointId, entry.priority, entry.message.systemProperties);
  }

  /**
   * Drops expired entries that nobody is reading now (the receiver is offline), at most `budget` rows per call,
   * continuing where the last call stopped, so a large backlog never blocks the event loop.
   */
  sweepExpired(budget: number): { scanned: number; dropped: number } {
    if (this.target !== undefined) return { scanned: 0, dropped: 0 }; // the pump drops expired entries itself
    const now = this.opts.now();
    let dropped = 0;
    let scanned = 0;
    for (const q of this.queues.values()) {
      if (q.length === 0 || budget <= 0) continue;
      const scan = this.store.scanExpired(this.endpointId, q.priority, q.sweepCursor, budget, now);
      // Reached the end of the queue: the next sweep starts from its head again.
      q.sweepCursor = scan.scanned < budget ? 0 : scan.lastSeq;
      budget -= scan.scanned;
      scanned += scan.scanned;
      for (const e of scan.expired) {
        this.commit.release(this.endpointId, q.priority, e.seq - 1, e.seq);
        q.length = Math.max(0, q.length - 1);
        dropped++;
        this.hooks.expired?.(this.endpointId, q.priority, e.systemProperties);
      }
    }
    return { scanned, dropped };
  }
}
