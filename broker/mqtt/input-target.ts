// Delivery of routed messages to a connected module's inputs over MQTT. The packet goes straight to that one
// connection (not through aedes's pub/sub or its offline queue), with a packet id the hub owns; the module's
// PUBACK, which aedes hands to SessionPersistence, completes the delivery.
import mqttPacket from 'mqtt-packet';
import type { Client } from 'aedes';
import type { Sink } from '../../routing/index.js';
import type { DeliveryTarget } from '../core/dispatcher.js';
import type { QueueEntry } from '../core/ports.js';
import { formatPropertyBag } from './property-bag.js';
import { inputTopic } from './topics.js';

export class MqttInputTarget implements DeliveryTarget {
  private nextId = 1;
  private readonly pending = new Map<number, () => void>();

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
    const messageId = this.packetId();
    this.pending.set(messageId, acked);
    const packet = mqttPacket.generate({
      cmd: 'publish',
      topic: inputTopic(this.deviceId, this.moduleId, sink.input, formatPropertyBag(entry.message)),
      payload: entry.message.body,
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    });
    this.client.conn.write(packet);
  }

  /** The client acknowledged packet `messageId`. Unknown ids (a duplicate PUBACK) are ignored. */
  puback(messageId: number): void {
    const acked = this.pending.get(messageId);
    if (acked === undefined) return;
    this.pending.delete(messageId);
    acked();
  }
}
