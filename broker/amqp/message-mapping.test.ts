import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rhea from 'rhea';
import { SystemProperty, type Message } from '../core/message.js';
import { fromAmqp, toAmqp, type AmqpMessage } from './message-mapping.js';

/** Through real AMQP encoding, as a peer would see it. */
const wire = (m: AmqpMessage): AmqpMessage => rhea.message.decode(rhea.message.encode(m)) as AmqpMessage;

describe('AMQP message mapping', () => {
  it('reads what the SDK sends (fromMessage): uuid ids, symbols, expiry, output name, annotations', () => {
    const uuid = '5b3b7a0e-6a2e-4c55-9d0f-0e5e0e1c2a11';
    const expiry = new Date('2030-01-02T03:04:05.000Z');
    const m = fromAmqp(
      wire({
        message_id: rhea.string_to_uuid(uuid),
        correlation_id: 'corr-1',
        to: '/devices/d/modules/m/messages/events',
        content_type: 'application/json',
        content_encoding: 'utf-8',
        absolute_expiry_time: expiry,
        application_properties: { 'iothub-outputname': 'out1', temp: '21', count: 3 },
        message_annotations: { 'dt-subject': 'thermostat1' },
        body: rhea.message.data_section(Buffer.from('{"a":1}')),
      }),
    );
    assert.equal(m.body.toString(), '{"a":1}');
    assert.deepEqual(m.properties, { temp: '21', count: null });
    assert.deepEqual(m.systemProperties, {
      [SystemProperty.messageId]: uuid,
      [SystemProperty.correlationId]: 'corr-1',
      [SystemProperty.to]: '/devices/d/modules/m/messages/events',
      [SystemProperty.contentType]: 'application/json',
      [SystemProperty.contentEncoding]: 'utf-8',
      [SystemProperty.expiryTime]: '2030-01-02T03:04:05.000Z',
      [SystemProperty.outputName]: 'out1',
      [SystemProperty.dtSubject]: 'thermostat1',
    });
  });

  it('takes ulong ids as decimal strings and string or binary AMQP values as bodies', () => {
    assert.equal(fromAmqp(wire({ message_id: 42, body: 'text' })).systemProperties[SystemProperty.messageId], '42');
    assert.equal(fromAmqp(wire({ body: 'text' })).body.toString(), 'text');
    assert.equal(fromAmqp(wire({ body: Buffer.from([1, 2]) })).body.length, 2);
    assert.equal(fromAmqp(wire({})).body.length, 0);
    assert.throws(() => fromAmqp(wire({ body: { a: 1 } })), /neither data sections/);
  });

  it('writes a delivery as the SDK reads it (toMessage): one data section, uuid ids, annotations', () => {
    const uuid = '5b3b7a0e-6a2e-4c55-9d0f-0e5e0e1c2a11';
    const message: Message = {
      body: Buffer.from('hello'),
      properties: { k: 'v', gone: null },
      systemProperties: {
        [SystemProperty.messageId]: uuid,
        [SystemProperty.correlationId]: 'not-a-uuid',
        [SystemProperty.userId]: 'user',
        [SystemProperty.contentType]: 'text/plain',
        [SystemProperty.contentEncoding]: 'utf-8',
        [SystemProperty.expiryTime]: '2030-01-02T03:04:05.000Z',
        [SystemProperty.messageSchema]: 'schema1',
        [SystemProperty.connectionDeviceId]: 'dev',
        [SystemProperty.connectionModuleId]: 'sensor',
        [SystemProperty.outputName]: 'out1',
      },
      enqueuedMs: 0,
    };
    const out = wire(toAmqp(message, 'input1'));
    const body = out.body as { typecode: number; content: Buffer };
    assert.equal(body.typecode, 0x75);
    assert.equal(body.content.toString(), 'hello');
    assert.ok(Buffer.isBuffer(out.message_id) && out.message_id.length === 16);
    assert.equal(rhea.uuid_to_string(out.message_id), uuid);
    assert.equal(out.correlation_id, 'not-a-uuid');
    assert.equal((out.user_id as Buffer).toString(), 'user');
    assert.equal(out.content_type, 'text/plain');
    assert.equal(out.content_encoding, 'utf-8');
    assert.equal((out.absolute_expiry_time as Date).toISOString(), '2030-01-02T03:04:05.000Z');
    assert.deepEqual(out.application_properties, { k: 'v', gone: null, 'iothub-message-schema': 'schema1' });
    assert.deepEqual(out.message_annotations, {
      'x-opt-input-name': 'input1',
      'iothub-connection-device-id': 'dev',
      'iothub-connection-module-id': 'sensor',
    });
  });

  it('reads back what it writes', () => {
    const message: Message = {
      body: Buffer.from([0, 1, 2]),
      properties: { a: 'b' },
      systemProperties: { [SystemProperty.messageId]: 'm1', [SystemProperty.contentType]: 'application/octet-stream' },
      enqueuedMs: 0,
    };
    const back = fromAmqp(wire(toAmqp(message, 'in')));
    assert.deepEqual(back.body, message.body);
    assert.deepEqual(back.properties, message.properties);
    assert.deepEqual(back.systemProperties, message.systemProperties);
  });
});
