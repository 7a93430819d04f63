// What the MQTT head's handlers share: the hub's core services, and who each connection is.
import type { Client } from 'aedes';
import type { Credentials, Identity } from '../auth/identity.js';
import type { Endpoints } from '../core/endpoints.js';
import type { Ingest } from '../core/ingest.js';
import type { Logger } from '../log.js';
import type { HubMetrics } from '../metrics/hub-metrics.js';

export interface MqttContext {
  readonly credentials: () => Credentials;
  /** False until the hub listens with a configuration loaded (and while it stops): CONNACK 3 meanwhile. */
  readonly ready: () => boolean;
  readonly ingest: Ingest;
  readonly endpoints: Endpoints;
  readonly metrics: HubMetrics;
  readonly log: Logger;
  /** The authenticated identity of each connection. */
  readonly identities: WeakMap<Client, Identity>;
}

/** Refuses what a client did: one log line naming who and why; aedes then closes the connection. */
export function refuse(ctx: MqttContext, client: Client, event: string, message: string, extra: object = {}): Error {
  ctx.log.warn({ event, client: client.id, ...extra }, message);
  return new Error(message);
}
