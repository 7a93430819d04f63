// Direct methods over MQTT (reference/protocol.md §3.6): requests go out on `$iothub/methods/POST/{name}/?$rid=`
// with a JSON body (an empty one makes the SDK answer 400 by itself), answers come back on
// `$iothub/methods/res/{status}/?$rid=`.
import type { Client, PublishPacket } from 'aedes';
import type { Identity } from '../auth/identity.js';
import type { MethodChannel, Methods } from '../methods/methods.js';
import type { MqttContext } from './context.js';
import { methodRequestTopic, parseMethodResponseTopic } from './topics.js';
import { sendQos0 } from './twin.js';

export function mqttMethodChannel(client: Client): MethodChannel {
  return {
    send: (requestId, methodName, payload) => {
      if (client.closed) throw new Error(`${client.id} is disconnecting`);
      sendQos0(client, methodRequestTopic(methodName, requestId), payload.length > 0 ? payload : 'null');
    },
  };
}

export function handleMethodResponse(
  ctx: MqttContext,
  methods: Methods,
  client: Client,
  identity: Identity,
  packet: PublishPacket,
): void {
  const parsed = parseMethodResponseTopic(packet.topic);
  if (!parsed) {
    ctx.log.warn(
      { event: 'mqtt.method.response_malformed', client: client.id, topic: packet.topic.slice(0, 200) },
      `method response on "${packet.topic.slice(0, 200)}" has no status or $rid: ignored`,
    );
    return;
  }
  const body = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  methods.respond(identity.id, parsed.rid, parsed.status, body);
}
