// Delivery of routed messages to a connected module's inputs over AMQP: the hub's sender on the link the module
// attached with source `/devices/{d}/modules/{m}/messages/events`. A delivery is complete when the module settles
// it: `accepted` acknowledges it (the dispatcher releases the entry); `rejected` drops it (acknowledged, counted);
// `released` or `modified` (abandon) leaves it in the queue to be delivered again later. Messages wait here only
// while the link has no credit: at most the dispatcher's window of them.
import type { Delivery, Message as RheaMessage, Sender } from 'rhea';
import type { Sink } from '../../routing/index.js';
import type { DeliveryTarget } from '../core/dispatcher.js';
import type { QueueEntry } from '../core/ports.js';
import { toAmqp } from './message-mapping.js';

export type Outcome = 'accepted' | 'rejected' | 'released';

export interface InputTargetHooks {
  /** The module rejected `entry`: it is dropped. */
  readonly rejected: (entry: QueueEntry, input: string) => void;
  /** The module released (abandoned) a message: the target's entries should be handed out again later. */
  readonly released: (target: AmqpInputTarget) => void;
}

interface Pending {
  readonly entry: QueueEntry;
  readonly input: string;
  readonly acked: () => void;
}

export class AmqpInputTarget implements DeliveryTarget {
  private pending = new Map<Delivery, Pending>();
  private waiting: Pending[] = [];

  constructor(
    readonly sender: Sender,
    readonly name: string,
    readonly moduleId: string,
    private readonly hooks: InputTargetHooks,
  ) {}

  deliver(entry: QueueEntry, sink: Sink, acked: () => void): void {
    if (sink.kind !== 'module' || !this.sender.is_open()) return; // a closing link is detached by its owner
    const p = { entry, input: sink.input, acked };
    if (this.waiting.length === 0 && this.sender.sendable()) this.send(p);
    else this.waiting.push(p);
  }

  /** The link got credit: send what waited for it. */
  sendable(): void {
    while (this.waiting.length > 0 && this.sender.sendable()) this.send(this.waiting.shift()!);
  }

  private send(p: Pending): void {
    const delivery = this.sender.send(toAmqp(p.entry.message, p.input) as RheaMessage);
    // A link the receiver asked to be pre-settled (at most once) gets no disposition: sent is done.
    if (this.sender.snd_settle_mode === 1) p.acked();
    else this.pending.set(delivery, p);
  }

  /** The module settled `delivery`. Unknown deliveries (from before a redelivery reset) are ignored. */
  settled(delivery: Delivery, outcome: Outcome): void {
    const p = this.pending.get(delivery);
    if (p === undefined) return;
    this.pending.delete(delivery);
    if (outcome === 'accepted') p.acked();
    else if (outcome === 'rejected') {
      p.acked();
      this.hooks.rejected(p.entry, p.input);
    } else this.hooks.released(this);
  }

  /** Forgets what is in flight: the dispatcher hands it out again after a re-attach. */
  reset(): void {
    this.pending = new Map();
    this.waiting = [];
  }

  get inflight(): number {
    return this.pending.size + this.waiting.length;
  }
}
