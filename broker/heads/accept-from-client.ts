// What every protocol head does with a message a client sent: stamp the sender's identity, count it, hand it to
// Ingest, and count what became of it (not stored, dropped as oversize or for want of a route). The head keeps
// only its protocol's answer (MQTT PUBACK, AMQP disposition) and its own wording for a refusal.
import type { Identity } from '../auth/identity.js';
import type { IngestOutcome } from '../core/ingest.js';
import type { Ingest } from '../core/ingest.js';
import { SystemProperty, type Message } from '../core/message.js';
import type { Logger } from '../log.js';
import type { HubMetrics } from '../metrics/hub-metrics.js';

export interface ClientIngest {
  readonly ingest: Ingest;
  readonly metrics: HubMetrics;
  readonly log: Logger;
}

/**
 * Accepts `message` from `identity` and calls `answer` after the commit that holds it (or with the commit's
 * error, already counted and logged as `storeFailedEvent`, naming `client`).
 */
export function acceptFromClient(
  ctx: ClientIngest,
  identity: Identity,
  message: Message,
  client: string,
  storeFailedEvent: string,
  answer: (err: Error | null, outcome: IngestOutcome | undefined) => void,
): void {
  const sys = message.systemProperties;
  sys[SystemProperty.connectionDeviceId] = identity.deviceId;
  if (identity.moduleId !== undefined) sys[SystemProperty.connectionModuleId] = identity.moduleId;
  const metrics = ctx.metrics.receiving(identity.id, sys[SystemProperty.outputName] ?? '');
  const output = metrics.output;
  metrics.received.inc();
  ctx.ingest.accept(message, (err, outcome) => {
    if (err) {
      ctx.metrics.messagesUnack.inc({
        reason: 'storage_failure',
        from: identity.id,
        from_route_output: output,
        ms_telemetry: 'True',
      });
      ctx.log.error({ event: storeFailedEvent, client, err }, `message from ${identity.id} not stored: ${err.message}`);
      answer(err, undefined);
      return;
    }
    metrics.size.observe(message.body.length);
    if (outcome.kind === 'oversize' || outcome.kind === 'no_route') {
      ctx.metrics.messagesDropped.inc({
        reason: outcome.kind,
        from: identity.id,
        from_route_output: output,
        ms_telemetry: 'True',
      });
    }
    answer(null, outcome);
  });
}
