// Bad input: wrong keys, expired tokens, borrowed identities, foreign topics, oversize messages, malformed packets
// and random bytes. Each is refused, the hub keeps serving everyone else, and nothing it stored is lost.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { generateDeviceKey } from '../../manifest/index.js';
import { Inbox, manifest, Message, sleep, TestHub } from './harness.js';

const malformed = JSON.parse(readFileSync(new URL('../mqtt/testdata/malformed.json', import.meta.url), 'utf8')) as {
  name: string;
  hex: string;
  before: 'connect' | 'connected';
}[];

describe('bad input', () => {
  let hub: TestHub;
  const deviceId = () => hub.hub.device.deviceId;
  const token = (moduleId: string, opts: { key?: string; expiry?: number } = {}) => hub.token(moduleId, opts);
  const raw = (clientId: string, password: string) => hub.rawClient('', { clientId, password });
  const failed = async (reason: string) =>
    (await hub.hub.metrics.clientConnectFailed.get()).values
      .filter((v) => v.labels.reason === reason)
      .reduce((n, v) => n + v.value, 0);

  before(async () => {
    hub = await TestHub.start(
      manifest(['sensor', 'filter', 'waiting'], {
        toFilter: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/filter/inputs/in")',
        toWaiting: 'FROM /messages/modules/sensor/outputs/keep INTO BrokeredEndpoint("/modules/waiting/inputs/in")',
      }),
      { mqttConnectTimeoutMs: 2000 },
    );
    // Messages stored for a module that stays offline while all the bad input happens.
    const sensor = await hub.module('sensor');
    for (let i = 0; i < 20; i++) await sensor.sendOutputEvent('keep', new Message(`kept-${i}`));
    await sensor.close();
  });
  after(() => hub.stop());

  it('refuses a wrong key with CONNACK 5 (the SDK fails open at once)', async () => {
    await assert.rejects(hub.module('sensor', { key: generateDeviceKey() }), /not authorized|Unauthorized/i);
    assert.ok((await failed('bad_signature')) >= 1);
  });

  it('refuses an expired token', async () => {
    await assert.rejects(
      raw(`${deviceId()}/sensor`, token('sensor', { expiry: Math.floor(Date.now() / 1000) - 10 })),
      (e: { code?: number }) => e.code === 5,
    );
    assert.ok((await failed('expired')) >= 1);
  });

  it("refuses another module's client id with this module's token", async () => {
    await assert.rejects(raw(`${deviceId()}/filter`, token('sensor')), (e: { code?: number }) => e.code === 5);
  });

  it("disconnects a client that publishes to another module's topic or subscribes to it", async () => {
    const c1 = await raw(`${deviceId()}/sensor`, token('sensor'));
    const closed1 = new Promise<void>((r) => c1.once('close', () => r()));
    c1.publish(`devices/${deviceId()}/modules/filter/messages/events/`, 'spoofed', { qos: 1 });
    await closed1;
    c1.end(true);
    const c2 = await raw(`${deviceId()}/sensor`, token('sensor'));
    const closed2 = new Promise<void>((r) => c2.once('close', () => r()));
    c2.subscribe(`devices/${deviceId()}/modules/filter/inputs/#`, { qos: 1 });
    await closed2;
    c2.end(true);
  });

  it('acknowledges, drops and counts a message over 256 KiB', async () => {
    const c = await raw(`${deviceId()}/sensor`, token('sensor'));
    await c.publishAsync(
      `devices/${deviceId()}/modules/sensor/messages/events/%24.on=out/`,
      Buffer.alloc(300 * 1024, 1),
      { qos: 1 },
    );
    const dropped = (await hub.hub.metrics.messagesDropped.get()).values.find((v) => v.labels.reason === 'oversize');
    assert.equal(dropped?.value, 1);
    await c.endAsync();
  });

  for (const p of malformed) {
    it(`closes the connection on ${p.name}`, async () => {
      const socket = tlsConnect({ host: '127.0.0.1', port: hub.hub.ports.mqtts, ca: hub.ca, servername: 'localhost' });
      await new Promise((r) => socket.once('secureConnect', r));
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => undefined);
      if (p.before === 'connected') {
        const connect = mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: false,
          keepalive: 60,
          clientId: `${deviceId()}/sensor`,
          username: `${hub.hub.device.iothubHostName}/${deviceId()}/sensor/?api-version=2021-04-12`,
          password: Buffer.from(token('sensor')),
        });
        const connack = new Promise<Buffer>((r) => socket.once('data', r));
        socket.write(connect);
        const reply = await connack;
        assert.equal(reply[0], 0x20, 'CONNACK');
        assert.equal(reply[3], 0, 'accepted');
      }
      socket.write(Buffer.from(p.hex, 'hex'));
      const timer = setTimeout(() => socket.destroy(new Error('still open')), 5000);
      await closed;
      clearTimeout(timer);
      assert.equal(socket.destroyed, true);
    });
  }

  it('still serves well-behaved modules, and lost nothing it had stored', async () => {
    const sensor = await hub.module('sensor');
    const filter = await hub.module('filter');
    const inbox = new Inbox(filter);
    await sleep(200);
    await sensor.sendOutputEvent('out', new Message('after the storm'));
    await inbox.waitFor(1);
    const waiting = await hub.module('waiting');
    const kept = new Inbox(waiting);
    await kept.waitFor(20);
    assert.deepEqual(
      kept.bodies(),
      Array.from({ length: 20 }, (_, i) => `kept-${i}`),
    );
    await Promise.all([sensor.close(), filter.close(), waiting.close()]);
  });
});
