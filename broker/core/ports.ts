// What the hub's core needs from the outside, so core code holds no SQL and no sockets.
import type { Sink } from '../../routing/index.js';
import type { Message, SystemProperties } from './message.js';

/** A message as the store holds it: with its store id. */
export interface StoredMessage extends Message {
  /**
   * Unique while the message is queued. The store keeps it only for a message queued for several endpoints
   * (stored once, shared); a message read back from a single queue entry carries 0.
   */
  readonly id: number;
}

/** One queue position: endpoint, priority, and a sequence number that orders arrivals (global, increasing). */
export interface QueuePosition {
  readonly endpointId: string;
  readonly priority: number;
  readonly seq: number;
}

/** A message waiting in one endpoint's queue. expiresMs = 0 means it never expires. */
export interface QueueEntry extends QueuePosition {
  readonly expiresMs: number;
  readonly message: StoredMessage;
}

/** The entries of one queue with `afterSeq < seq <= uptoSeq`: what a release removes. */
export interface QueueRange {
  readonly endpointId: string;
  readonly priority: number;
  readonly afterSeq: number;
  readonly uptoSeq: number;
}

/** A new message and the queue entries that reference it, written together. */
export interface Append {
  readonly message: StoredMessage;
  readonly entries: readonly QueueEntry[];
}

export interface ExpiryScan {
  /** Entries looked at, and the last seq looked at (where the next scan continues). */
  readonly scanned: number;
  readonly lastSeq: number;
  /** The expired ones, with their sender's system properties (for the drop metric's labels). */
  readonly expired: readonly { seq: number; systemProperties: SystemProperties }[];
}

export interface QueueSummary {
  readonly endpointId: string;
  readonly priority: number;
  readonly count: number;
}

/** The durable store of messages and queues. Synchronous: it runs on the event loop, in bounded pieces. */
export interface MessageStore {
  /** Appends and releases (ranges of delivered or expired entries) in one transaction. Throws on I/O failure. */
  write(appends: readonly Append[], releases: readonly QueueRange[]): void;
  /** Up to `limit` entries of one queue after `afterSeq`, in order. */
  readQueue(endpointId: string, priority: number, afterSeq: number, limit: number): QueueEntry[];
  /** Looks at up to `limit` entries of one queue after `afterSeq` and returns those expired at `now`. */
  scanExpired(endpointId: string, priority: number, afterSeq: number, limit: number, now: number): ExpiryScan;
  /** Every non-empty queue (at start, to resume delivery of what was stored before). */
  queues(): QueueSummary[];
  /** The highest message id and sequence number in use, so new ones continue after them. */
  lastIds(): { messageId: number; seq: number };
  /** Bytes the database uses on disk (main file and WAL). */
  sizeOnDisk(): number;
  /**
   * Asked before each group commit. True: wait (the store is starting its write-ahead log over, off the event
   * loop); the store calls `resume` once, within milliseconds, and commits queued meanwhile go together then.
   */
  holdWrites?(resume: () => void): boolean;
  close(): void;
}

/** MQTT session state that must outlive connections (and restarts): subscriptions of clean=false clients. */
export interface SessionStore {
  subscriptions(clientId: string): { topic: string; qos: number }[];
  addSubscriptions(clientId: string, subs: readonly { topic: string; qos: number }[]): void;
  removeSubscriptions(clientId: string, topics: readonly string[]): void;
  clearSubscriptions(clientId: string): void;
}

/**
 * Why `message` can never be delivered to `sink` (it does not fit a protocol's limits), or undefined when it can.
 * Asked at ingest for every matched endpoint, so nothing is stored that no receiver could be sent.
 */
export type DeliveryCheck = (message: Message, sink: Sink) => string | undefined;
