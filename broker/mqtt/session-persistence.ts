// aedes's persistence, reduced to what the hub wants from it. Subscriptions of clean=false sessions are kept
// (in memory and in the store, so they survive reconnects and restarts: the SDK never resubscribes after a token
// renewal). Everything aedes would queue for offline clients is refused: our store is the only queue of
// messages, and its dispatchers deliver straight to connections. PUBACKs for what they delivered come back here.
import { Readable } from 'node:stream';
import type { Client } from 'aedes';
import type { SessionStore } from '../core/ports.js';

/** Receives the PUBACKs of messages the hub sent to a client (packet ids are the hub's own). */
export type PubackListener = (client: Client, messageId: number) => void;

interface Sub {
  topic: string;
  qos: number;
}

function asyncNoop(): Promise<void> {
  return Promise.resolve();
}

/** Runs a store write; its error becomes a rejection. */
function attempt(write: () => void): Promise<void> {
  try {
    write();
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export class SessionPersistence {
  private readonly cache = new Map<string, Map<string, number>>();
  private readonly incoming = new Map<string, Map<number, unknown>>();
  onPuback: PubackListener = () => {};

  constructor(private readonly sessions: SessionStore) {}

  /** aedes checks that `setup` is an async function. */
  async setup(): Promise<void> {}

  private subsOf(clientId: string): Map<string, number> {
    let subs = this.cache.get(clientId);
    if (!subs) {
      subs = new Map(this.sessions.subscriptions(clientId).map((s) => [s.topic, s.qos]));
      this.cache.set(clientId, subs);
    }
    return subs;
  }

  /** The QoS of subscription `topic` in the session of `clientId`, if it holds it. */
  qosOf(clientId: string, topic: string): number | undefined {
    return this.subsOf(clientId).get(topic);
  }

  // The writes below reject instead of throwing: aedes calls them without a try, so a store error thrown here
  // (SQLITE_FULL on a full disk) ended the process. Rejected, it fails that SUBSCRIBE and closes that connection.
  // The cache changes only after the store did, so it never claims a subscription the store lacks.

  addSubscriptions(client: Client, subs: Sub[]): Promise<void> {
    return attempt(() => {
      const own = this.subsOf(client.id);
      // A module subscribes again on every connect: only what is new is written, so it can still subscribe, and
      // drain its backlog, while the disk is full.
      const changed = subs.filter((s) => own.get(s.topic) !== s.qos);
      if (changed.length === 0) return;
      this.sessions.addSubscriptions(client.id, changed);
      for (const s of changed) own.set(s.topic, s.qos);
    });
  }

  removeSubscriptions(client: Client, topics: string[]): Promise<void> {
    return attempt(() => {
      this.sessions.removeSubscriptions(client.id, topics);
      const own = this.subsOf(client.id);
      for (const t of topics) own.delete(t);
    });
  }

  subscriptionsByClient(client: { id: string }): Promise<Sub[]> {
    return Promise.resolve([...this.subsOf(client.id)].map(([topic, qos]) => ({ topic, qos })));
  }

  cleanSubscriptions(client: Client): Promise<void> {
    return attempt(() => {
      this.sessions.clearSubscriptions(client.id);
      this.cache.set(client.id, new Map());
    });
  }

  // Offline queueing: never (the store's dispatchers own delivery).
  subscriptionsByTopic(): Promise<never[]> {
    return Promise.resolve([]);
  }
  countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    return Promise.resolve({ subsCount: 0, clientsCount: 0 });
  }
  outgoingEnqueue = asyncNoop;
  outgoingEnqueueCombi = asyncNoop;
  outgoingUpdate = asyncNoop;
  outgoingStream(): Readable {
    return Readable.from([]);
  }
  outgoingClearMessageId(client: Client, packet: { messageId?: number }): Promise<undefined> {
    if (packet.messageId !== undefined) this.onPuback(client, packet.messageId);
    return Promise.resolve(undefined);
  }

  // Retained messages: IoT Hub has none.
  storeRetained = asyncNoop;
  createRetainedStream(): Readable {
    return Readable.from([]);
  }
  createRetainedStreamCombi(): Readable {
    return Readable.from([]);
  }

  // QoS 2 inbound de-duplication, per connection (the SDK uses QoS 1; kept correct for other clients).
  incomingStorePacket(client: Client, packet: { messageId?: number }): Promise<void> {
    let m = this.incoming.get(client.id);
    if (!m) this.incoming.set(client.id, (m = new Map<number, unknown>()));
    m.set(packet.messageId ?? 0, packet);
    return Promise.resolve();
  }
  incomingGetPacket(client: Client, packet: { messageId?: number }): Promise<unknown> {
    const p = this.incoming.get(client.id)?.get(packet.messageId ?? 0);
    return p === undefined ? Promise.reject(new Error('no such packet')) : Promise.resolve(p);
  }
  incomingDelPacket(client: Client, packet: { messageId?: number }): Promise<void> {
    this.incoming.get(client.id)?.delete(packet.messageId ?? 0);
    return Promise.resolve();
  }
  cleanIncoming(client: Client): Promise<void> {
    this.incoming.delete(client.id);
    return Promise.resolve();
  }

  // Wills: the SDK never sets one; a will is not kept across restarts.
  putWill = asyncNoop;
  getWill(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  delWill(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  streamWill(): Readable {
    return Readable.from([]);
  }
  getClientList(): Readable {
    return Readable.from([]);
  }
  destroy = asyncNoop;
}
