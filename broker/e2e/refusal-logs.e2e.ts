// One refusal, one log line: a single packet must not make the hub write thousands of lines (found by the fuzz
// suite: a SUBSCRIBE with 10,000 foreign filters wrote 10,000 warnings, one per filter aedes asked about).
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { after, describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { collectingLogger, manifest, TestHub } from './harness.js';

describe('refusal logs', () => {
  let hub: TestHub;
  const { logger, lines } = collectingLogger('info');
  after(() => hub.stop());

  it('a SUBSCRIBE with 10,000 foreign filters disconnects the client with one warning', async () => {
    hub = await TestHub.start(manifest(['sensor'], { r: 'FROM /* INTO $upstream' }), { logger });
    const dev = hub.hub.device.deviceId;
    const socket = tlsConnect({ host: '127.0.0.1', port: hub.hub.ports.mqtts!, ca: hub.ca, servername: 'localhost' });
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('secureConnect', r));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    const connack = new Promise<Buffer>((r) => socket.once('data', r));
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: false,
        keepalive: 60,
        clientId: `${dev}/sensor`,
        username: `${hub.hub.device.iothubHostName}/${dev}/sensor/?api-version=2021-04-12`,
        password: Buffer.from(hub.token('sensor')),
      }),
    );
    assert.equal((await connack)[3], 0, 'accepted');
    const subscriptions = Array.from({ length: 10_000 }, (_, i) => ({ topic: `other/${i}/#`, qos: 1 as const }));
    socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions }));
    const timer = setTimeout(() => socket.destroy(new Error('still open')), 5000);
    await closed;
    clearTimeout(timer);
    await new Promise((r) => setTimeout(r, 200));
    const refused = lines.filter((l) => l.event === 'mqtt.subscribe.unauthorized');
    assert.equal(refused.length, 1, `${refused.length} warnings for one SUBSCRIBE`);
    assert.equal(refused[0]?.client, `${dev}/sensor`);
  });
});
