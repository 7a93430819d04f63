// CONNECT: the SAS token in the password must be valid for the identity in the client id.
// CONNACK 5 for any refusal (the SDK does not retry it), CONNACK 3 while the hub is not ready (it retries).
import type { Client } from 'aedes';
import { authenticate } from '../auth/identity.js';
import type { MqttContext } from './context.js';

type AuthError = Error & { returnCode: number };

function connackError(returnCode: number, message: string): AuthError {
  return Object.assign(new Error(message), { returnCode });
}

export function makeAuthenticate(ctx: MqttContext) {
  return (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (err: AuthError | null, ok: boolean | null) => void,
  ): void => {
    if (!ctx.ready()) {
      ctx.log.info(
        { event: 'mqtt.connect.unavailable', client: client.id },
        'hub not ready yet: CONNACK 3 (the client retries)',
      );
      done(connackError(3, 'server unavailable'), false);
      return;
    }
    const creds = ctx.credentials();
    const result = authenticate(creds, client.id, username, password?.toString('utf8'), Math.floor(Date.now() / 1000));
    if (!result.ok) {
      // The id label only takes configured identities: a refused client id is free-form input.
      const known =
        creds.modules?.has(client.id.split('/')[1] ?? '') === true || creds.devices?.has(client.id) === true
          ? client.id
          : 'unknown';
      ctx.metrics.clientConnectFailed.inc({ id: known, reason: result.reason, ms_telemetry: 'True' });
      ctx.log.warn(
        { event: 'mqtt.connect.refused', client: client.id.slice(0, 200), reason: result.reason },
        `connection refused: ${result.message}`,
      );
      done(connackError(5, result.message), false);
      return;
    }
    ctx.identities.set(client, result.identity);
    done(null, true);
  };
}
