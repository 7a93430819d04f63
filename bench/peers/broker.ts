// What a scenario needs from a broker under test, whichever it is: where to connect, how a client named after
// a module connects, its PID (CPU and memory), and how to stop it.
import { createServer } from 'node:net';
import { connect } from 'node:net';
import type { ConnectSpec, Endpoint } from '../load/protocol.js';

export type BrokerKind = 'edgehub' | 'mosquitto' | 'aedes';

export const BROKER_KINDS: readonly BrokerKind[] = ['edgehub', 'mosquitto', 'aedes'];
/** The brokers the hub is compared with. */
export const PEER_KINDS: readonly BrokerKind[] = ['mosquitto', 'aedes'];

/** What the hub is told about the modules and routes; peers ignore it (plain topics stand in for routes). */
export interface Deployment {
  readonly modules: readonly string[];
  readonly routes: Readonly<Record<string, string>>;
}

export interface Broker {
  readonly kind: BrokerKind;
  readonly pid: number;
  /** Plain MQTT on 127.0.0.1. */
  readonly endpoint: Endpoint;
  /** MQTT over TLS (the hub only: what SDK modules use). */
  readonly tlsEndpoint?: Endpoint;
  readonly deviceId: string;
  /** Plain AMQP on 127.0.0.1 (the hub only). */
  readonly amqpEndpoint?: Endpoint;
  /** A module's SAS token and its put-token audience (the hub only). */
  amqpCredentials?(moduleId: string): { readonly token: string; readonly audience: string };
  /** The data folder (the hub only). */
  readonly dataDir?: string;
  /** The hub's Prometheus endpoint (`http://127.0.0.1:N/metrics`). */
  readonly metricsUrl?: string;
  /** CONNECT of a client acting as module `moduleId` (clean = false, as the SDK). */
  connectSpec(moduleId: string): ConnectSpec;
  /** Stops the broker by PID; resolves with a complaint when it did not exit cleanly. */
  stop(): Promise<string | undefined>;
}

/** The device id peers use in topics, so that their topics are as long as the hub's. */
export const PEER_DEVICE_ID = 'bench-device';

export function anonymousConnect(deviceId: string, moduleId: string): ConnectSpec {
  return { clientId: `${deviceId}/${moduleId}`, clean: false, keepalive: 300 };
}

/** A port that was free a moment ago on 127.0.0.1 (for brokers that cannot listen on port 0 and say which). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
