import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rhea from 'rhea';
import { parsePutToken, putTokenReply } from './cbs.js';
import type { AmqpMessage } from './message-mapping.js';

const wire = (m: AmqpMessage): AmqpMessage => rhea.message.decode(rhea.message.encode(m)) as AmqpMessage;

describe('CBS put-token', () => {
  const request = (app: Record<string, unknown>, body: unknown = 'SharedAccessSignature sr=x&sig=y&se=1') =>
    wire({ message_id: 'id-1', application_properties: app, body });
  const good = { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: 'h%2Fdevices%2Fd' };

  it('reads the request the SDK sends', () => {
    assert.deepEqual(parsePutToken(request(good)), {
      ok: true,
      messageId: 'id-1',
      name: 'h%2Fdevices%2Fd',
      token: 'SharedAccessSignature sr=x&sig=y&se=1',
    });
  });

  it('refuses other operations, token types and bodies, naming what was wrong', () => {
    const refused = [
      [request({ ...good, operation: 'delete-token' }), /unsupported \$cbs operation "delete-token"/],
      [request({ ...good, type: 'jwt' }), /unsupported token type "jwt"/],
      [request(good, { not: 'a string' }), /not a token string/],
    ] as const;
    for (const [m, why] of refused) {
      const r = parsePutToken(m);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.description, why);
    }
  });

  it('replies with the number 200 and the request id as correlation id', () => {
    const r = wire(putTokenReply('id-1', 200, 'OK'));
    assert.equal(r.correlation_id, 'id-1');
    assert.deepEqual(r.application_properties, { 'status-code': 200, 'status-description': 'OK' });
  });
});
