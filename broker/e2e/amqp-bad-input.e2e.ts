// Bad input over AMQP: bad tokens, links to other identities' addresses, links before a put-token, oversize
// messages, garbage after the protocol header, a frame announced too big, 10,000 links on one connection, and a
// connection that never authenticates. Each is refused, and two SDK modules connected throughout keep exchanging
// messages.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import azureCommon from 'azure-iot-common';
import rhea from 'rhea';
import { generateDeviceKey } from '../../manifest/index.js';
import { AmqpTestClient } from './amqp-client.js';
import { Inbox, manifest, Message, sleep, TestHub, type SdkModuleClient } from './harness.js';

describe('bad input over AMQP', () => {
  let hub: TestHub;
  let sensor: SdkModuleClient;
  let filter: SdkModuleClient;
  let inbox: Inbox;
  const clients: AmqpTestClient[] = [];
  const d = () => hub.hub.device.deviceId;
  const events = (moduleId: string) => `/devices/${d()}/modules/${moduleId}/messages/events`;
  const audience = (moduleId: string) =>
    encodeURIComponent(`${hub.hub.device.iothubHostName}/devices/${d()}/modules/${moduleId}`);
  const raw = async (sasl?: 'none' | 'anonymous' | 'plain') => {
    const c = await AmqpTestClient.connect(hub.hub.ports.amqps!, hub.ca, sasl);
    clients.push(c);
    return c;
  };
  const authenticated = async (moduleId: string) => {
    const c = await raw();
    const r = await c.putToken(hub.token(moduleId), audience(moduleId));
    assert.equal(r.status, 200);
    return c;
  };
  const failed = async (reason: string) =>
    (await hub.hub.metrics.clientConnectFailed.get()).values
      .filter((v) => v.labels.reason === reason)
      .reduce((n, v) => n + v.value, 0);
  /** The two SDK modules still exchange a message. */
  let sent = 0;
  const stillServing = async () => {
    await sensor.sendOutputEvent('out', new Message(`ping ${sent++}`));
    await inbox.waitFor(sent, 5000);
    for (const m of inbox.messages.slice(-1)) await filter.complete(m.message);
  };

  before(async () => {
    hub = await TestHub.start(
      manifest(['sensor', 'filter'], {
        toFilter: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/filter/inputs/in")',
      }),
      { amqpLimits: { authTimeoutMs: 1000 } },
    );
    sensor = await hub.module('sensor', { transport: 'amqp' });
    filter = await hub.module('filter', { transport: 'amqp' });
    inbox = new Inbox(filter);
    await sleep(200);
    await stillServing();
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([sensor.close(), filter.close()].map((p) => p.catch(() => undefined)));
    await hub.stop();
  });

  it('fails the SDK open at once with UnauthorizedError on a wrong key', async () => {
    const started = Date.now();
    await assert.rejects(
      hub.module('sensor', { transport: 'amqp', key: generateDeviceKey() }),
      (err: Error) => err instanceof azureCommon.errors.UnauthorizedError,
    );
    assert.ok(Date.now() - started < 5000, 'not retried');
    assert.ok((await failed('bad_signature')) >= 1);
    await stillServing();
  });

  it('answers a bad put-token with a numeric non-200 status and a description', async () => {
    const c = await raw();
    const expired = await c.putToken(
      hub.token('sensor', { expiry: Math.floor(Date.now() / 1000) - 5 }),
      audience('sensor'),
    );
    assert.equal(expired.status, 401);
    assert.match(String(expired.description), /expired/);
    const borrowed = await c.putToken(hub.token('sensor'), audience('filter'));
    assert.equal(borrowed.status, 401);
    assert.match(String(borrowed.description), /not the token's audience/);
    const junk = await c.putToken('not a token', audience('sensor'));
    assert.equal(junk.status, 401);
    // Still nobody: a link to its events address is refused.
    const link = await c.attachSender(events('sensor'));
    assert.deepEqual(link.open ? 'open' : link.error?.condition, 'amqp:unauthorized-access');
  });

  it("detaches links to another module's address with amqp:unauthorized-access", async () => {
    const c = await authenticated('sensor');
    const send = await c.attachSender(events('filter'));
    assert.equal(send.open ? 'open' : send.error?.condition, 'amqp:unauthorized-access');
    const receive = await c.attachReceiver(events('filter'));
    assert.equal(receive.open ? 'open' : receive.error?.condition, 'amqp:unauthorized-access');
    const unknown = await c.attachSender(`/devices/${d()}/modules/sensor/somewhere`);
    assert.equal(unknown.open ? 'open' : unknown.error?.condition, 'amqp:not-found');
    // A token for another module on the same connection does not change who it is.
    const other = await c.putToken(hub.token('filter'), audience('filter'));
    assert.equal(other.status, 401);
    // Its own address works, and messages sent there are routed.
    assert.equal(
      await c.send(events('sensor'), { body: 'raw', application_properties: { 'iothub-outputname': 'out' } }),
      'accepted',
    );
    await inbox.waitFor(++sent, 5000);
    await filter.complete(inbox.messages.at(-1)!.message);
    assert.equal(inbox.bodies().at(-1), 'raw');
    await stillServing();
  });

  it('accepts SASL ANONYMOUS and PLAIN headers, and still needs a put-token', async () => {
    for (const sasl of ['anonymous', 'plain'] as const) {
      const c = await raw(sasl);
      const before = await c.attachSender(events('sensor'));
      assert.equal(before.open ? 'open' : before.error?.condition, 'amqp:unauthorized-access');
      const r = await c.putToken(hub.token('sensor'), audience('sensor'));
      assert.equal(r.status, 200, sasl);
      assert.equal((await c.attachSender(events('sensor'))).open, true, sasl);
      c.close();
    }
  });

  it('ends a connection whose delivery grows past twice the size limit', async () => {
    const c = await authenticated('sensor');
    const outcome = await c.send(events('sensor'), {
      body: rhea.message.data_section(Buffer.alloc(1024 * 1024, 0x62)) as unknown,
    });
    assert.equal(outcome, 'connection ended');
    assert.equal((await c.waitClosed()).error?.condition, 'amqp:link:message-size-exceeded');
    await stillServing();
  });

  it('closes a connection that sends garbage after the AMQP header, or announces a huge frame', async () => {
    const header = Buffer.from('AMQP\x00\x01\x00\x00', 'latin1');
    // [bytes, whether rhea fails on them at once (else the hub's frame bound or its put-token timeout ends it)]
    const inputs: [Buffer, boolean][] = [
      // A whole 16-byte frame whose body is no AMQP performative.
      [
        Buffer.concat([header, Buffer.from([0, 0, 0, 16, 2, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef])]),
        true,
      ],
      [Buffer.concat([header, randomBytes(4096)]), false],
      // A frame header announcing 256 MB, then a trickle.
      [Buffer.concat([header, Buffer.from([0x10, 0, 0, 0, 2, 0, 0, 0]), randomBytes(1024)]), false],
      // No AMQP header at all.
      [Buffer.from('GET / HTTP/1.1\r\n\r\n'), true],
    ];
    for (const [bytes, atOnce] of inputs) {
      const socket = tlsConnect({ host: '127.0.0.1', port: hub.hub.ports.amqps!, ca: hub.ca, servername: 'localhost' });
      socket.on('error', () => {});
      socket.resume(); // read what the hub answers, or 'close' waits for it
      await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
      const started = Date.now();
      socket.write(bytes);
      const closed = await Promise.race([
        new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
        sleep(5000).then(() => false),
      ]);
      socket.destroy();
      const what = bytes.subarray(0, 12).toString('hex');
      assert.ok(closed, `the hub closed the connection after ${what}…`);
      if (atOnce) assert.ok(Date.now() - started < 800, `closed at once after ${what}…`);
    }
    await stillServing();
  });

  it('ends a connection that opens 10,000 links, and serves the others', async () => {
    const c = await authenticated('sensor');
    for (let i = 0; i < 10_000; i++) c.connection.open_receiver({ source: '$cbs', name: `link-${i}` });
    const closed = await c.waitClosed(15_000);
    assert.equal(closed.error?.condition, 'amqp:resource-limit-exceeded');
    await stillServing();
  });

  it('closes a connection that never sends a put-token', async () => {
    const c = await raw();
    const closed = await c.waitClosed(5000);
    assert.equal(closed.error?.condition, 'amqp:unauthorized-access');
    await stillServing();
  });
});
