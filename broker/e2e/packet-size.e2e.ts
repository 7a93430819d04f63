// A packet that announces more than the hub will ever take is refused on its header: the connection is closed
// before its bytes are buffered. (Found by the fuzz suite: without it, a client, even one that never
// authenticated, could make the hub hold up to 256 MB per connection: 4 connections × 50 MB added 200 MB RSS.)
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { remainingLength } from './mutator.js';
import { manifest, TestHub } from './harness.js';

describe('packet size limit', () => {
  let hub: TestHub;
  before(async () => {
    hub = await TestHub.start(manifest(['sensor'], { r: 'FROM /* INTO $upstream' }), { mqttPort: 0 });
  });
  after(() => hub.stop());

  async function open(): Promise<{ socket: Socket; closed: Promise<boolean> }> {
    const socket = connect({ host: '127.0.0.1', port: hub.hub.ports.mqtt! });
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    return { socket, closed };
  }

  const connectPacket = () => {
    const dev = hub.hub.device.deviceId;
    return mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: false,
      keepalive: 60,
      clientId: `${dev}/sensor`,
      username: `${hub.hub.device.iothubHostName}/${dev}/sensor/?api-version=2021-04-12`,
      password: Buffer.from(hub.token('sensor')),
    });
  };

  it('closes a connection whose first packet announces 200 MB, before it authenticated', async () => {
    const { socket, closed } = await open();
    socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(200 << 20), Buffer.alloc(1 << 20, 0x61)]));
    assert.equal(await closed, true, 'the hub closed the connection');
    socket.destroy();
  });

  it('closes an authenticated connection on a PUBLISH that announces 2 MiB', async () => {
    const { socket, closed } = await open();
    const connack = new Promise<Buffer>((r) => socket.once('data', r));
    socket.write(connectPacket());
    assert.equal((await connack)[3], 0, 'accepted');
    socket.write(Buffer.concat([Buffer.from([0x32]), remainingLength(2 << 20), Buffer.alloc(64 * 1024, 0x61)]));
    assert.equal(await closed, true, 'the hub closed the connection');
    socket.destroy();
  });

  it('still takes a 300 KiB PUBLISH (acknowledged and dropped as oversize) and many packets per read', async () => {
    const { socket } = await open();
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const acks: number[] = [];
    parser.on('packet', (p) => p.cmd === 'puback' && acks.push(p.messageId!));
    socket.on('data', (d: Buffer) => parser.parse(d));
    const dev = hub.hub.device.deviceId;
    const publish = (messageId: number, size: number) =>
      mqttPacket.generate({
        cmd: 'publish',
        topic: `devices/${dev}/modules/sensor/messages/events/`,
        payload: Buffer.alloc(size, 1),
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      });
    socket.write(connectPacket());
    // One write: a big packet split across reads, then 100 small ones in the same stream.
    socket.write(Buffer.concat([publish(1, 300 * 1024), ...Array.from({ length: 100 }, (_, i) => publish(2 + i, 10))]));
    const deadline = Date.now() + 5000;
    while (acks.length < 101 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(acks.length, 101);
    socket.destroy();
  });
});
