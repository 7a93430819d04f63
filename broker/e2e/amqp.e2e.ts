// Module → route → module with the real Azure IoT SDK over AMQP/TLS (`Amqp`): settlement (complete, reject,
// abandon, none), properties across protocols both ways, token renewal on a live connection, oversize refusal.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import azureCommon from 'azure-iot-common';
import { Inbox, manifest, Message, sleep, TestHub, type SdkMessage, type SdkModuleClient } from './harness.js';
import { Scrape } from './scrape.js';

const ROUTES = {
  toFilter: 'FROM /messages/modules/sensor/outputs/out1 INTO BrokeredEndpoint("/modules/filter/inputs/in1")',
  toSensor: 'FROM /messages/modules/filter/outputs/back INTO BrokeredEndpoint("/modules/sensor/inputs/fromFilter")',
};

/**
 * A message with every property the SDK carries on both protocols. The expiry is a Date for MQTT senders (sent as
 * ISO 8601) and a number of milliseconds for AMQP senders: the SDK's rhea 1.0.24 cannot encode a Date there
 * ("value.copy is not a function", and the connection drops).
 */
function fullMessage(body: string, messageId: string, sender: 'mqtt' | 'amqp' = 'amqp'): SdkMessage {
  const m = new Message(body);
  m.messageId = messageId;
  m.correlationId = 'corr-' + messageId;
  m.contentType = 'application/json';
  m.contentEncoding = 'utf-8';
  const expiry = new Date('2031-02-03T04:05:06.000Z');
  m.expiryTimeUtc = sender === 'mqtt' ? expiry : expiry.getTime();
  m.properties.add('level', '5');
  m.properties.add('key with space', 'v/&=1');
  m.properties.add('unicode', 'Grüße ✓');
  return m;
}

/** What a receiving module sees of a sent message, in a form both protocols can be compared on. */
function seen(m: SdkMessage) {
  const props: Record<string, string> = {};
  for (let i = 0; i < m.properties.count(); i++) {
    const p = m.properties.getItem(i);
    // MQTT deliveries also carry the hub's $.cdid/$.cmid as properties (protocol.md §4.4); AMQP has them as
    // annotations the SDK does not expose.
    if (!p.key.startsWith('$.')) props[p.key] = String(p.value);
  }
  const exp = m.expiryTimeUtc as Date | string | number | undefined;
  return {
    body: m.getBytes().toString(),
    messageId: m.messageId,
    correlationId: m.correlationId,
    contentType: m.contentType,
    contentEncoding: m.contentEncoding,
    expiry: exp === undefined ? undefined : new Date(exp).toISOString(),
    props,
  };
}

describe('telemetry through routes (SDK, AMQP)', () => {
  let hub: TestHub;
  const clients: SdkModuleClient[] = [];
  const open = async (id: string, opts: Parameters<TestHub['module']>[1] = {}) => {
    const c = await hub.module(id, { transport: 'amqp', ...opts });
    clients.push(c);
    return c;
  };
  const queued = (endpoint: string) => hub.hub.endpoints.get(endpoint)?.length ?? 0;
  const waitUntil = async (what: string, check: () => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await sleep(20);
    }
  };

  before(async () => {
    hub = await TestHub.start(manifest(['sensor', 'filter'], ROUTES));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  after(() => hub.stop());

  it('delivers an output to another module input; complete() releases it from the queue', async () => {
    const sensor = await open('sensor');
    const filter = await open('filter');
    const inbox = new Inbox(filter);
    await sleep(200); // the SDK attaches the input link when the listener is added
    const sent = fullMessage('{"t":21}', 'a6e8e3c4-2f4e-4d41-9c7d-1b0f8f1e2a33');
    await sensor.sendOutputEvent('out1', sent);
    await inbox.waitFor(1);
    assert.equal(inbox.messages[0]!.input, 'in1');
    assert.deepEqual(seen(inbox.messages[0]!.message), seen(sent));
    assert.equal(queued('filter/in1'), 1, 'not released before the module settles it');
    await filter.complete(inbox.messages[0]!.message);
    await waitUntil('the entry is released', () => queued('filter/in1') === 0);
  });

  it('carries every property from an MQTT sender to an AMQP receiver and back', async () => {
    const mqttSensor = await hub.module('sensor'); // MQTT
    clients.push(mqttSensor);
    const amqpFilter = await open('filter');
    const toFilter = new Inbox(amqpFilter);
    const toSensor = new Inbox(mqttSensor);
    await sleep(300);

    const forward = fullMessage('mqtt → amqp', '7d3f6b1e-5a1c-4c2e-8f9b-2d4e6a8c0b1d', 'mqtt');
    await mqttSensor.sendOutputEvent('out1', forward);
    await toFilter.waitFor(1);
    assert.deepEqual(seen(toFilter.messages[0]!.message), seen(forward));
    await amqpFilter.complete(toFilter.messages[0]!.message);

    const back = fullMessage('amqp → mqtt', 'not-a-uuid-id');
    await amqpFilter.sendOutputEvent('back', back);
    await toSensor.waitFor(1);
    const got = toSensor.messages[0]!.message;
    assert.equal(toSensor.messages[0]!.input, 'fromFilter');
    assert.deepEqual(seen(got), seen(back));
    // The hub's stamps of who sent it, as MQTT shows them.
    assert.equal(got.properties.getValue('$.cdid'), hub.hub.device.deviceId);
    assert.equal(got.properties.getValue('$.cmid'), 'filter');
  });

  it('redelivers what a receiver never settled after it reconnects', async () => {
    const sensor = await open('sensor');
    const first = await hub.module('filter', { transport: 'amqp' });
    const inbox1 = new Inbox(first);
    await sleep(200);
    await sensor.sendOutputEvent('out1', fullMessage('unsettled', 'msg-unsettled'));
    await inbox1.waitFor(1);
    await first.close(); // never completed
    const second = await open('filter');
    const inbox2 = new Inbox(second);
    await inbox2.waitFor(1);
    assert.equal(inbox2.messages[0]!.message.messageId, 'msg-unsettled');
    await second.complete(inbox2.messages[0]!.message);
    await waitUntil('the entry is released', () => queued('filter/in1') === 0);
  });

  it('redelivers an abandoned message on the same link, later', async () => {
    const sensor = await open('sensor');
    const filter = await open('filter');
    const inbox = new Inbox(filter);
    await sleep(200);
    await sensor.sendOutputEvent('out1', fullMessage('abandoned once', 'msg-abandon'));
    await inbox.waitFor(1);
    await filter.abandon(inbox.messages[0]!.message);
    await inbox.waitFor(2);
    assert.equal(inbox.messages[1]!.message.messageId, 'msg-abandon');
    await filter.complete(inbox.messages[1]!.message);
    await waitUntil('the entry is released', () => queued('filter/in1') === 0);
  });

  it('drops a rejected message and counts it', async () => {
    const sensor = await open('sensor');
    const filter = await open('filter');
    const inbox = new Inbox(filter);
    await sleep(200);
    await sensor.sendOutputEvent('out1', fullMessage('rejected', 'msg-reject'));
    await inbox.waitFor(1);
    await filter.reject(inbox.messages[0]!.message);
    await waitUntil('the entry is released', () => queued('filter/in1') === 0);
    const now = await Scrape.from(hub.hub.ports.metrics!);
    const dropped = now.value('edgehub_messages_dropped_total', {
      reason: 'rejected',
      from: `${hub.hub.device.deviceId}/sensor`,
    });
    assert.equal(dropped, 1);
    // Not delivered again, not even after a reconnect.
    await filter.close();
    const again = await open('filter');
    const inbox2 = new Inbox(again);
    await sleep(500);
    assert.equal(inbox2.messages.length, 0);
  });

  it('refuses an oversize message with MessageTooLargeError, and the connection goes on', async () => {
    const sensor = await open('sensor');
    const filter = await open('filter');
    const inbox = new Inbox(filter);
    await sleep(200);
    await assert.rejects(
      sensor.sendOutputEvent('out1', new Message(Buffer.alloc(300 * 1024, 0x61))),
      (err: Error) => err instanceof azureCommon.errors.MessageTooLargeError,
    );
    await sensor.sendOutputEvent('out1', new Message('small'));
    await inbox.waitFor(1);
    assert.equal(inbox.bodies()[0], 'small');
    await filter.complete(inbox.messages[0]!.message);
  });

  it('keeps the connection and its links through token renewals', async () => {
    // Tokens valid 4 s, renewed every 2 s: the hub closes a connection whose token expires unrenewed.
    const sensor = await open('sensor', {
      tokenRenewal: { tokenValidTimeInSeconds: 4, tokenRenewalMarginInSeconds: 2 },
    });
    const filter = await open('filter');
    const inbox = new Inbox(filter);
    let disconnects = 0;
    sensor.on('disconnect', () => disconnects++);
    await sleep(200);
    const connects = async () =>
      (await Scrape.from(hub.hub.ports.metrics!)).value('edgehub_client_connect_success_total', {
        id: `${hub.hub.device.deviceId}/sensor`,
      });
    const before = await connects();
    for (let i = 0; i < 4; i++) {
      await sensor.sendOutputEvent('out1', new Message(`tick ${i}`));
      await sleep(2000);
    }
    await inbox.waitFor(4);
    assert.deepEqual(inbox.bodies(), ['tick 0', 'tick 1', 'tick 2', 'tick 3']);
    assert.equal(disconnects, 0);
    assert.equal(await connects(), before, 'no new connection: the tokens were renewed on the same one');
    for (const m of inbox.messages) await filter.complete(m.message);
  });
});
