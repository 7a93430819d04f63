// PUBLISH from a client. Telemetry is ingested here, inside aedes's authorizePublish hook, because aedes sends
// the QoS 1 PUBACK right after this hook's callback: calling back only after the store commit is what makes
// "acknowledged ⇒ durable" true. A publish outside the client's own topics is refused and the client
// disconnected. QoS 1 telemetry usually arrives through the fast path instead (fast-path.ts, makeFastTelemetry
// below), which shares `ingestTelemetry` and writes the PUBACK after the same commit.
import type { Client, PublishPacket } from 'aedes';
import type { Identity } from '../auth/identity.js';
import type { Message } from '../core/message.js';
import { acceptFromClient } from '../heads/accept-from-client.js';
import type { MqttContext } from './context.js';
import { refuse } from './context.js';
import { parsePropertyBag, PropertyBagError, type PropertyBag } from './property-bag.js';
import { handleMethodResponse } from './methods.js';
import { parseInboundTopic } from './topics.js';
import { handleTwinRequest } from './twin.js';

/** `ingested` marks a packet the hub stored and routed itself, so aedes does not publish it again. */
export function makeAuthorizePublish(ctx: MqttContext, ingested: (packet: PublishPacket) => void) {
  return (client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void => {
    if (client === null) {
      done(new Error('the hub publishes nothing on its own behalf'));
      return;
    }
    const identity = ctx.identities.get(client);
    if (!identity) {
      done(refuse(ctx, client, 'mqtt.publish.refused', 'publish from an unauthenticated connection'));
      return;
    }
    const topic = parseInboundTopic(packet.topic);
    if (topic.kind === 'twin' || topic.kind === 'method-response') {
      // Answered by the hub itself (QoS 0 both ways); aedes must not publish these on.
      if (topic.kind === 'twin') handleTwinRequest(ctx, ctx.twins, client, identity, packet);
      else handleMethodResponse(ctx, ctx.methods, client, identity, packet);
      ingested(packet);
      done(null);
      return;
    }
    if (topic.kind !== 'telemetry') {
      done(refuse(ctx, client, 'mqtt.publish.refused', `publish to unsupported topic "${packet.topic.slice(0, 200)}"`));
      return;
    }
    if (topic.deviceId !== identity.deviceId || topic.moduleId !== identity.moduleId) {
      done(
        refuse(
          ctx,
          client,
          'mqtt.publish.unauthorized',
          `publish to another identity's topic "${packet.topic.slice(0, 200)}"`,
        ),
      );
      return;
    }
    let bag: PropertyBag;
    try {
      bag = parsePropertyBag(topic.bag);
    } catch (err) {
      if (err instanceof PropertyBagError) {
        done(refuse(ctx, client, 'mqtt.publish.malformed', err.message));
        return;
      }
      throw err;
    }
    const payload = packet.payload;
    ingestTelemetry(ctx, client, identity, bag, typeof payload === 'string' ? Buffer.from(payload) : payload, (err) => {
      if (!err) ingested(packet);
      done(err);
    });
  };
}

/**
 * The fast path's half of the hook above (fast-path.ts): takes a QoS 1 PUBLISH only when it is telemetry to the
 * client's own topic with a well-formed property bag, and ingests it; anything else it leaves alone (returns
 * false) for aedes and the hook above, which answer or refuse it with their log lines.
 */
export function makeFastTelemetry(ctx: MqttContext) {
  return (client: Client, topicName: string, payload: Buffer, done: (err: Error | null) => void): boolean => {
    const identity = ctx.identities.get(client);
    if (!identity) return false;
    const topic = parseInboundTopic(topicName);
    if (topic.kind !== 'telemetry' || topic.deviceId !== identity.deviceId || topic.moduleId !== identity.moduleId)
      return false;
    let bag: PropertyBag;
    try {
      bag = parsePropertyBag(topic.bag);
    } catch (err) {
      if (err instanceof PropertyBagError) return false;
      throw err;
    }
    ingestTelemetry(ctx, client, identity, bag, payload, done);
    return true;
  };
}

/**
 * Stores and routes one telemetry message from `client`; `done` runs after the commit (the PUBACK may go), or
 * with its error (no PUBACK: the SDK sends again). A message over the size limit is acknowledged and dropped.
 */
function ingestTelemetry(
  ctx: MqttContext,
  client: Client,
  identity: Identity,
  bag: PropertyBag,
  body: Buffer,
  done: (err: Error | null) => void,
): void {
  const message: Message = {
    properties: bag.properties,
    systemProperties: bag.systemProperties,
    body,
    enqueuedMs: Date.now(),
  };
  acceptFromClient(ctx, identity, message, client.id, 'mqtt.publish.store_failed', (err, outcome) => {
    if (err) {
      done(err); // not acknowledged: the client's SDK times out and sends again
      return;
    }
    if (outcome?.kind === 'oversize') {
      // MQTT 3.1.1 cannot refuse a publish: acknowledge, drop, count and say so (reference/protocol.md §7.2).
      ctx.log.warn(
        { event: 'mqtt.publish.oversize', client: client.id, size: outcome.size },
        `message from ${identity.id} dropped: ${outcome.size} bytes is over the 262144-byte limit`,
      );
    }
    done(null);
  });
}
