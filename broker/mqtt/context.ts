// What the MQTT head's handlers share: the hub's core services, and who each connection is.
import type { Client } from 'aedes';
import type { Credentials, Identity } from '../auth/identity.js';
import type { Endpoints } from '../core/endpoints.js';
import type { Ingest } from '../core/ingest.js';
import type { Logger } from '../log.js';
import type { HubMetrics } from '../metrics/hub-metrics.js';
import type { Methods } from '../methods/methods.js';
import type { Twins } from '../twin/twins.js';

export interface MqttContext {
  readonly credentials: () => Credentials;
  /** False until the hub listens with a configuration loaded (and while it stops): CONNACK 3 meanwhile. */
  readonly ready: () => boolean;
  readonly ingest: Ingest;
  readonly endpoints: Endpoints;
  readonly metrics: HubMetrics;
  readonly log: Logger;
  readonly twins: Twins;
  readonly methods: Methods;
  /** The authenticated identity of each connection. */
  readonly identities: WeakMap<Client, Identity>;
}

/** Connections already refused: aedes goes on asking about the rest of their packets while it closes them. */
const refused = new WeakSet<Client>();

/**
 * Refuses what a client did: one log line naming who and why; aedes then closes the connection. Only the first
 * refusal of a connection is logged, so one packet (a SUBSCRIBE with 10,000 foreign filters, say) or a burst of
 * them cannot write thousands of lines.
 */
export function refuse(ctx: MqttContext, client: Client, event: string, message: string, extra: object = {}): Error {
  if (!refused.has(client)) {
    refused.add(client);
    ctx.log.warn({ event, client: client.id, ...extra }, message);
  }
  return new Error(message);
}
