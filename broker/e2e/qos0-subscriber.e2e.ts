// A module (or a plain MQTT tool) that subscribes to its inputs with QoS 0 is sent its messages at QoS 0
// (MQTT 3.1.1 §3.8.4: never above the granted QoS), and each is released once written: it keeps receiving past
// the delivery window even though it never sends a PUBACK.
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { manifest, sleep, TestHub } from './harness.js';
import { Scrape } from './scrape.js';

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('QoS 0 input subscriptions', () => {
  let hub: TestHub;
  const dev = () => hub.hub.device.deviceId;
  const events = () => `devices/${dev()}/modules/sensor/messages/events/%24.on=out/`;

  before(async () => {
    hub = await TestHub.start(
      manifest(['sensor', 'tool', 'strict'], {
        tool: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/tool/inputs/in")',
        strict: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/strict/inputs/in")',
      }),
    );
  });
  after(() => hub.stop());

  it('are granted QoS 0 and delivered at QoS 0, past the window of 100, and nothing stays queued', async () => {
    // The real mqtt client, subscribed at QoS 0.
    const tool = await hub.rawClient('tool');
    const qos: number[] = [];
    tool.on('message', (_topic, _payload, packet) => qos.push(packet.qos));
    const granted = await tool.subscribeAsync(`devices/${dev()}/modules/tool/inputs/#`, { qos: 0 });
    assert.equal(granted[0]?.qos, 0, 'SUBACK grants QoS 0');

    // A strict client that never sends a PUBACK (it asked for QoS 0), on a raw socket.
    const strict = tlsConnect({ host: '127.0.0.1', port: hub.hub.ports.mqtts!, ca: hub.ca, servername: 'localhost' });
    strict.on('error', () => undefined);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const strictQos: number[] = [];
    let suback: number[] | undefined;
    parser.on('packet', (p) => {
      if (p.cmd === 'publish') strictQos.push(p.qos);
      if (p.cmd === 'suback') suback = p.granted as number[];
    });
    strict.on('data', (d: Buffer) => parser.parse(d));
    await new Promise((r) => strict.once('secureConnect', r));
    strict.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: false,
        keepalive: 60,
        clientId: `${dev()}/strict`,
        username: `${hub.hub.device.iothubHostName}/${dev()}/strict/?api-version=2021-04-12`,
        password: Buffer.from(hub.token('strict')),
      }),
    );
    strict.write(
      mqttPacket.generate({
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [{ topic: `devices/${dev()}/modules/strict/inputs/#`, qos: 0 }],
      }),
    );
    await until('SUBACK', () => suback !== undefined);
    assert.deepEqual(suback, [0]);

    const sensor = await hub.rawClient('sensor');
    const n = 250;
    for (let i = 0; i < n; i++) await sensor.publishAsync(events(), `m${i}`, { qos: 1 });
    await until(`${n} messages at the mqtt client`, () => qos.length >= n);
    await until(`${n} messages at the strict client (it never acknowledges)`, () => strictQos.length >= n);
    assert.deepEqual(new Set(qos), new Set([0]), 'every PUBLISH at QoS 0');
    assert.deepEqual(new Set(strictQos), new Set([0]));

    await sleep(200); // releases are written within 100 ms
    const s = await Scrape.from(hub.hub.ports.metrics!);
    assert.equal(s.value('edgehub_queue_length', { endpoint: 'tool/in' }), 0);
    assert.equal(s.value('edgehub_queue_length', { endpoint: 'strict/in' }), 0);
    assert.equal(hub.hub.store.counts().entries, 0, 'released once written');
    strict.destroy();
    await Promise.all([tool.endAsync(), sensor.endAsync()]);
  });

  it('follow the QoS of a later SUBSCRIBE: QoS 1 again means acknowledged delivery', async () => {
    const tool = await hub.rawClient('tool');
    const qos: number[] = [];
    tool.on('message', (_topic, _payload, packet) => qos.push(packet.qos));
    const granted = await tool.subscribeAsync(`devices/${dev()}/modules/tool/inputs/#`, { qos: 1 });
    assert.equal(granted[0]?.qos, 1);
    const sensor = await hub.rawClient('sensor');
    await sensor.publishAsync(events(), 'again', { qos: 1 });
    await until('one message', () => qos.length >= 1);
    assert.deepEqual(qos, [1]);
    await Promise.all([tool.endAsync(), sensor.endAsync()]);
  });
});
