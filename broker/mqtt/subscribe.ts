// SUBSCRIBE: a client may subscribe only to its own topics (inputs or C2D, methods, twin). Anything else is
// refused and the client disconnected (MQTT 3.1.1's SUBACK failure code is treated as success by the SDK).
import type { Client, Subscription } from 'aedes';
import type { MqttContext } from './context.js';
import { refuse } from './context.js';
import { allowedSubscriptions } from './topics.js';

export function makeAuthorizeSubscribe(ctx: MqttContext) {
  return (client: Client, sub: Subscription, done: (err: Error | null, sub?: Subscription | null) => void): void => {
    const identity = ctx.identities.get(client);
    if (!identity || !allowedSubscriptions(identity.deviceId, identity.moduleId).includes(sub.topic)) {
      done(
        refuse(
          ctx,
          client,
          'mqtt.subscribe.unauthorized',
          `subscription to "${sub.topic.slice(0, 200)}" refused: not one of this client's topics`,
        ),
      );
      return;
    }
    // QoS 2 is not offered: deliveries are at-least-once.
    done(null, sub.qos > 1 ? { ...sub, qos: 1 } : sub);
  };
}
