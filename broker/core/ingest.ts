// Accepting a message: route it, append it with one entry per matched endpoint, and answer the sender only
// after the commit that holds it. A message no route takes is answered at once and stored nowhere, and so is a
// message for an endpoint it can never be delivered to (the delivery check): nothing is stored that would fail
// on every delivery attempt.
import { randomUUID } from 'node:crypto';
import type { EndpointMatch, RouteTable } from '../../routing/index.js';
import type { GroupCommit } from './commit.js';
import { MAX_MESSAGE_SIZE, messageSize, SystemProperty, type Message } from './message.js';
import type { DeliveryCheck, QueueEntry } from './ports.js';

/** What became of an accepted message. */
export type IngestOutcome =
  | { readonly kind: 'stored'; readonly endpoints: number }
  | { readonly kind: 'no_route' }
  /** Every matched endpoint refused it (the delivery check): dropped, reported through the hook. */
  | { readonly kind: 'undeliverable' }
  | { readonly kind: 'oversize'; readonly size: number };

export type IngestCallback = (err: Error | null, outcome: IngestOutcome) => void;

export interface IngestHooks {
  readonly routed?: (message: Message, matches: readonly EndpointMatch[], seconds: number) => void;
  /** `message` will not be stored for `match`'s endpoint: the delivery check gave `reason`. */
  readonly undeliverable?: (message: Message, match: EndpointMatch, reason: string) => void;
}

export interface RoutingState {
  readonly table: RouteTable;
  /** Store-and-forward TTL in seconds; negative means forever. */
  readonly timeToLiveSecs: number;
}

export class Ingest {
  /** Reused for every evaluation: the router writes its matches here (no allocation per message). */
  private readonly matches: EndpointMatch[] = [];
  /** Every 16th evaluation is timed for the route-evaluation metric (timing each costs more than routing). */
  private evaluations = 0;

  constructor(
    private readonly commit: GroupCommit,
    private readonly routing: () => RoutingState,
    private readonly edgeDeviceId: string,
    private readonly hooks: IngestHooks = {},
    private readonly deliverable: DeliveryCheck = () => undefined,
  ) {}

  accept(message: Message, done: IngestCallback): void {
    const size = messageSize(message);
    if (size > MAX_MESSAGE_SIZE) {
      done(null, { kind: 'oversize', size });
      return;
    }
    const sys = message.systemProperties;
    sys[SystemProperty.edgeMessageId] = randomUUID();
    sys[SystemProperty.edgeHubOriginInterface] =
      sys[SystemProperty.connectionDeviceId] === this.edgeDeviceId ? 'internal' : 'downstream';

    const { table, timeToLiveSecs } = this.routing();
    const timed = this.hooks.routed !== undefined && (++this.evaluations & 15) === 0;
    const started = timed ? performance.now() : 0;
    const matches = table.evaluate(message, this.matches);
    if (timed) this.hooks.routed(message, matches, (performance.now() - started) / 1000);
    if (matches.length === 0) {
      done(null, { kind: 'no_route' });
      return;
    }
    // Decided before anything is stored or acknowledged: an endpoint this message can never reach gets no entry.
    let kept = 0;
    for (let i = 0; i < matches.length; i++) {
      const m = matches[i]!;
      const reason = this.deliverable(message, m.sink);
      if (reason === undefined) matches[kept++] = m;
      else this.hooks.undeliverable?.(message, m, reason);
    }
    if (kept < matches.length) {
      matches.length = kept;
      if (kept === 0) {
        done(null, { kind: 'undeliverable' });
        return;
      }
    }
    const stored = { ...message, id: this.commit.messageId() };
    const entries: QueueEntry[] = new Array<QueueEntry>(matches.length);
    for (let i = 0; i < matches.length; i++) {
      const m = matches[i]!;
      const ttl = m.timeToLiveSecs ?? timeToLiveSecs;
      entries[i] = {
        endpointId: m.endpointId,
        priority: m.priority,
        seq: this.commit.seq(),
        expiresMs: ttl < 0 ? 0 : message.enqueuedMs + ttl * 1000,
        message: stored,
      };
    }
    const endpoints = entries.length;
    this.commit.append({ message: stored, entries }, (err) => done(err, { kind: 'stored', endpoints }));
  }
}
