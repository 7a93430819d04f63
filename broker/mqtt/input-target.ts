// Delivery of routed messages to a connected module's inputs over MQTT. The packet goes straight to that one
// connection (not through aedes's pub/sub or its offline queue), with a packet id the hub owns; the module's
// PUBACK, which aedes hands to SessionPersistence, completes the delivery. A module subscribed at QoS 0 is sent
// QoS 0 (MQTT 3.1.1 §3.8.4: never above the granted QoS): at most once, complete once the packet is written to
// the socket (the write callback, so a receiver that stops reading still holds at most a window of messages). Everything one turn of the event loop
// delivers to a connection leaves in one write: the socket is corked at the first packet and uncorked on the
// next tick.
import type { Client } from 'aedes';
import type { Sink } from '../../routing/index.js';
import type { DeliveryTarget } from '../core/dispatcher.js';
import type { Message } from '../core/message.js';
import type { DeliveryCheck, QueueEntry } from '../core/ports.js';
import { formatPropertyBag, propertyBagOverLimit } from './property-bag.js';
import { publishHeader } from './publish-packet.js';
import { inputTopic, inputTopicPrefixBytes, MAX_TOPIC_BYTES } from './topics.js';

/**
 * The ingest check for MQTT inputs: a message whose input topic (`…/inputs/{input}/{bag}`, the bag
 * percent-encoded again) would be over 65,535 bytes can never be sent to that input. AMQP has no such limit, but
 * a module may connect over either, so the stricter head decides.
 */
export function mqttInputCheck(deviceId: string): DeliveryCheck {
  return (message: Message, sink: Sink): string | undefined => {
    if (sink.kind !== 'module') return undefined;
    const room = MAX_TOPIC_BYTES - inputTopicPrefixBytes(deviceId, sink.moduleId, sink.input);
    const over = propertyBagOverLimit(message, room);
    return over === undefined ? undefined : `it does not fit an MQTT input topic (65535 bytes): ${over}`;
  };
}

export class MqttInputTarget implements DeliveryTarget {
  private nextId = 1;
  private readonly pending = new Map<number, () => void>();
  private corked = false;
  /** The QoS granted to the inputs subscription (the latest SUBSCRIBE wins). */
  qos: 0 | 1 = 1;
  private readonly uncork = (): void => {
    this.corked = false;
    this.client.conn.uncork();
  };

  constructor(
    readonly client: Client,
    readonly deviceId: string,
    readonly moduleId: string,
  ) {}

  get name(): string {
    return this.client.id;
  }

  private packetId(): number {
    // 1…65535, skipping ids still waiting for their PUBACK.
    for (let i = 0; i < 65535; i++) {
      const id = this.nextId;
      this.nextId = id === 65535 ? 1 : id + 1;
      if (!this.pending.has(id)) return id;
    }
    throw new Error(`no free MQTT packet id for ${this.client.id}: 65535 messages unacknowledged`);
  }

  deliver(entry: QueueEntry, sink: Sink, acked: () => void): void {
    if (sink.kind !== 'module' || this.client.closed) return; // a closing connection is detached by its owner
    // Everything that can throw comes before anything is registered or written: a message that cannot be sent
    // fails alone (the dispatcher drops it) and the connection's byte stream stays whole.
    const body = entry.message.body;
    const topic = inputTopic(this.deviceId, this.moduleId, sink.input, formatPropertyBag(entry.message));
    const messageId = this.qos === 1 ? this.packetId() : undefined;
    const header = publishHeader(topic, messageId, body.length);
    if (messageId !== undefined) this.pending.set(messageId, acked);
    const conn = this.client.conn;
    if (!this.corked) {
      this.corked = true;
      conn.cork();
      process.nextTick(this.uncork);
    }
    // QoS 0: written is done. A write that fails (the connection is going) completes nothing: it is resent.
    const written =
      messageId === undefined
        ? (err?: Error | null) => {
            if (!err) acked();
          }
        : undefined;
    if (body.length > 0) {
      conn.write(header);
      conn.write(body, written);
    } else {
      conn.write(header, written);
    }
  }

  /** The client acknowledged packet `messageId`. Unknown ids (a duplicate PUBACK) are ignored. */
  puback(messageId: number): void {
    const acked = this.pending.get(messageId);
    if (acked === undefined) return;
    this.pending.delete(messageId);
    acked();
  }
}
