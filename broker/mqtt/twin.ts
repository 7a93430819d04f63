// Twin requests over MQTT (reference/protocol.md §3.5): `$iothub/twin/GET/?$rid=` and
// `$iothub/twin/PATCH/properties/reported/?$rid=`, answered on `$iothub/twin/res/{status}/?$rid=[&$version=]`.
// The SDK has no timeout on these and JSON-parses every non-empty answer inside its MQTT message handler, so
// every request with a `$rid` gets exactly one answer, and every answer body is valid JSON (or empty for a 204).
import type { Client, PublishPacket } from 'aedes';
import type { Identity } from '../auth/identity.js';
import type { TwinObject } from '../twin/document.js';
import type { Twins } from '../twin/twins.js';
import type { MqttContext } from './context.js';
import { desiredPatchTopic, parseTwinTopic, twinResponseTopic } from './topics.js';

/** Publishes a QoS 0 packet to one client (twin answers, desired patches and method requests are QoS 0). */
export function sendQos0(client: Client, topic: string, payload: Buffer | string): void {
  if (client.closed) return;
  client.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () => undefined);
}

function errorBody(status: number, message: string): string {
  // The SDK fails the request with Error(message) when `errorCode` is set.
  return JSON.stringify({ errorCode: status, message });
}

export function handleTwinRequest(
  ctx: MqttContext,
  twins: Twins,
  client: Client,
  identity: Identity,
  packet: PublishPacket,
): void {
  const { operation, rid } = parseTwinTopic(packet.topic);
  if (rid === undefined) {
    ctx.log.warn(
      { event: 'mqtt.twin.no_rid', client: client.id, topic: packet.topic.slice(0, 200) },
      `twin request without $rid on "${packet.topic.slice(0, 200)}": nothing to answer to, ignored`,
    );
    return;
  }
  const body = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  if (operation === 'GET/') {
    sendQos0(client, twinResponseTopic(200, rid), JSON.stringify(twins.get(identity.id)));
    return;
  }
  if (operation === 'PATCH/properties/reported/') {
    const result = twins.patchReported(identity, body);
    if (result.ok) {
      sendQos0(client, twinResponseTopic(204, rid, result.version), '');
      return;
    }
    ctx.log.warn(
      { event: 'mqtt.twin.patch_refused', client: client.id, status: result.status, reason: result.message },
      `reported patch from ${identity.id} refused: ${result.message}`,
    );
    sendQos0(client, twinResponseTopic(result.status, rid), errorBody(result.status, result.message));
    return;
  }
  const message = `unsupported twin operation "${operation.slice(0, 100)}": use GET/ or PATCH/properties/reported/`;
  ctx.log.warn({ event: 'mqtt.twin.unsupported', client: client.id, operation: operation.slice(0, 100) }, message);
  sendQos0(client, twinResponseTopic(400, rid), errorBody(400, message));
}

/** Desired patches for a connected client whose session holds the desired-properties subscription. */
export function desiredSender(client: Client): (patch: TwinObject) => void {
  return (patch) => sendQos0(client, desiredPatchTopic(Number(patch.$version)), JSON.stringify(patch));
}
