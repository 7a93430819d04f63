// What the AMQP head's handlers share: the hub's core services and the limits that bound what one client may do.
import type { Credentials } from '../auth/identity.js';
import type { Endpoints } from '../core/endpoints.js';
import type { Ingest } from '../core/ingest.js';
import type { Logger } from '../log.js';
import type { HubMetrics } from '../metrics/hub-metrics.js';
import type { AmqpTwinMethodLinks } from './twin-methods.js';

export interface AmqpLimits {
  /** A connection must complete a CBS put-token within this time (ms), or it is closed. */
  readonly authTimeoutMs: number;
  /** Links per connection (the SDK opens at most 8: CBS 2, telemetry, inputs, twin 2, methods 2). */
  readonly maxLinks: number;
  /** Sessions per connection (the SDK opens 1). */
  readonly maxSessions: number;
  /** The largest frame the hub accepts; the SDK splits transfers to fit (our open frame's max-frame-size). */
  readonly maxFrameSize: number;
  /** Connection idle timeout (ms) announced in our open frame: the client sends heartbeats at half of it. */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_AMQP_LIMITS: AmqpLimits = {
  authTimeoutMs: 30_000,
  maxLinks: 32,
  maxSessions: 4,
  maxFrameSize: 64 * 1024,
  idleTimeoutMs: 240_000,
};

export interface AmqpContext {
  readonly credentials: () => Credentials;
  /** False until the store is open and a configuration is loaded: connections are closed meanwhile. */
  readonly ready: () => boolean;
  readonly ingest: Ingest;
  readonly endpoints: Endpoints;
  readonly metrics: HubMetrics;
  readonly log: Logger;
  readonly limits: AmqpLimits;
  /** Twin and methods links (twin-methods.ts); without it those links are refused as not implemented. */
  readonly twinMethods?: AmqpTwinMethodLinks;
}
