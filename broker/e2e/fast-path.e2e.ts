// The MQTT fast path (broker/mqtt/fast-path.ts) on the wire: telemetry and delivery PUBACKs framed by the hub
// itself, whatever the chunking; everything else still answered by aedes, in order; the keep-alive counting
// the packets aedes no longer sees; a malformed length refused. Raw bytes on a plain socket, a real hub. Each
// case runs with the fast path on and off: the protocol must not tell the difference.
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { manifest, sleep, TestHub } from './harness.js';
import { LeanClient, moduleLogin, outputTopic } from './lean-client.js';

/** A module on a raw socket: bytes out exactly as written, packets in as parsed. */
class Wire {
  readonly packets: Packet[] = [];
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p: Packet) => {
      this.packets.push(p);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('data', (b: Buffer) => parser.parse(b));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(hub: TestHub, moduleId: string, keepalive = 0): Promise<Wire> {
    const socket = netConnect({ host: '127.0.0.1', port: hub.hub.ports.mqtt! });
    socket.setNoDelay(true);
    const wire = new Wire(socket);
    const login = moduleLogin(hub.hub.device, moduleId);
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: login.clientId,
        clean: false,
        keepalive,
        username: login.username,
        password: Buffer.from(login.password),
      }),
    );
    await wire.until((ps) => ps.some((p) => p.cmd === 'connack'), 'CONNACK');
    return wire;
  }

  /** Waits until `done(packets)` holds. */
  async until(done: (packets: Packet[]) => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done(this.packets)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; got ${this.packets.map((p) => p.cmd).join(' ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  pubacks(): number[] {
    return this.packets.flatMap((p) => (p.cmd === 'puback' ? [p.messageId!] : []));
  }
}

const publish = (topic: string, messageId: number, payload: string | Buffer): Buffer =>
  mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 1, messageId, retain: false, dup: false });

for (const fastPath of [true, false]) {
  describe(`MQTT fast path ${fastPath ? 'on' : 'off'}: what the wire sees`, () => {
    let hub: TestHub;
    let receiver: LeanClient;
    const received: string[] = [];
    const bigBodies: Buffer[] = [];
    const deviceId = () => hub.hub.device.deviceId;
    const sensorTopic = () => outputTopic(deviceId(), 'sensor', 'out');

    before(async () => {
      hub = await TestHub.start(
        manifest(['sensor', 'filter', 'other'], {
          toFilter: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/filter/inputs/in")',
        }),
        { mqttPort: 0, mqttFastPath: fastPath },
      );
      receiver = await LeanClient.connect({ port: hub.hub.ports.mqtt!, ...moduleLogin(hub.hub.device, 'filter') });
      receiver.onMessage = (_topic, payload) => {
        received.push(payload.toString());
        if (payload.length > 1024) bigBodies.push(payload);
      };
      await receiver.subscribe([`devices/${deviceId()}/modules/filter/inputs/#`]);
    });
    after(async () => {
      await receiver.end();
      await hub.stop();
    });

    it('acknowledges and routes a PUBLISH that arrives one byte at a time', async () => {
      const wire = await Wire.open(hub, 'sensor');
      const bytes = publish(sensorTopic(), 7, 'byte by byte');
      for (const b of bytes) {
        wire.socket.write(Buffer.from([b]));
        await sleep(2);
      }
      await wire.until((ps) => ps.some((p) => p.cmd === 'puback'), 'PUBACK');
      assert.deepEqual(wire.pubacks(), [7]);
      const deadline = Date.now() + 5000;
      while (!received.includes('byte by byte') && Date.now() < deadline) await sleep(10);
      assert.ok(received.includes('byte by byte'), `delivered: ${received.join(', ')}`);
      wire.socket.destroy();
    });

    it('routes a 200 KB message written in 1,000-byte pieces, whole', async () => {
      const wire = await Wire.open(hub, 'sensor');
      const body = Buffer.alloc(200 * 1024);
      for (let k = 0; k < body.length; k++) body[k] = (k * 31) & 0xff;
      const bytes = publish(sensorTopic(), 9, body);
      const before = received.length;
      for (let at = 0; at < bytes.length; at += 1000) {
        wire.socket.write(bytes.subarray(at, at + 1000));
        if (at % 20_000 === 0) await sleep(1);
      }
      await wire.until((ps) => ps.some((p) => p.cmd === 'puback'), 'PUBACK');
      assert.deepEqual(wire.pubacks(), [9]);
      const deadline = Date.now() + 5000;
      while (received.length === before && Date.now() < deadline) await sleep(10);
      assert.equal(received.length, before + 1);
      assert.equal(bigBodies.at(-1)?.equals(body), true, 'the body arrived changed');
      wire.socket.destroy();
    });

    it('answers 300 publishes written at once in their order, with a PINGREQ and a SUBSCRIBE among them', async () => {
      const wire = await Wire.open(hub, 'sensor');
      const parts: Buffer[] = [];
      for (let id = 1; id <= 300; id++) {
        parts.push(publish(sensorTopic(), id, `batch ${id}`));
        if (id === 100) parts.push(mqttPacket.generate({ cmd: 'pingreq' }));
        if (id === 200)
          parts.push(
            mqttPacket.generate({
              cmd: 'subscribe',
              messageId: 999,
              subscriptions: [{ topic: `devices/${deviceId()}/modules/sensor/inputs/#`, qos: 1 }],
            }),
          );
      }
      // One buffer, then the same again cut at odd places, so packets straddle the reads.
      wire.socket.write(Buffer.concat(parts.slice(0, 151)));
      const restBytes = Buffer.concat(parts.slice(151));
      for (let at = 0; at < restBytes.length; at += 777) {
        wire.socket.write(restBytes.subarray(at, at + 777));
        await sleep(1);
      }
      await wire.until((ps) => ps.filter((p) => p.cmd === 'puback').length === 300, '300 PUBACKs');
      assert.deepEqual(
        wire.pubacks(),
        Array.from({ length: 300 }, (_, i) => i + 1),
      );
      assert.ok(
        wire.packets.some((p) => p.cmd === 'pingresp'),
        'PINGRESP',
      );
      const suback = wire.packets.find((p) => p.cmd === 'suback');
      assert.equal(suback?.messageId, 999);
      const deadline = Date.now() + 5000;
      while (received.filter((r) => r.startsWith('batch ')).length < 300 && Date.now() < deadline) await sleep(10);
      assert.deepEqual(
        received.filter((r) => r.startsWith('batch ')),
        Array.from({ length: 300 }, (_, i) => `batch ${i + 1}`),
      );
      wire.socket.destroy();
    });

    it('keeps a connection alive on telemetry alone, and still drops a silent one', async () => {
      // keepalive 1 s: aedes closes after 1.5 s without a packet it counts.
      const wire = await Wire.open(hub, 'sensor', 1);
      for (let id = 1; id <= 10; id++) {
        wire.socket.write(publish(sensorTopic(), id, `alive ${id}`));
        await sleep(300);
      }
      assert.equal(wire.socket.destroyed, false, 'the hub closed a connection that sent a packet every 300 ms');
      assert.deepEqual(
        wire.pubacks(),
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
      const silentSince = Date.now();
      await Promise.race([wire.closed, sleep(5000)]);
      assert.ok(wire.socket.destroyed, 'a silent connection stayed open');
      assert.ok(Date.now() - silentSince >= 1000, 'closed before the keep-alive ran out');
    });

    it('refuses a malformed remaining length and serves the next connection', async () => {
      const wire = await Wire.open(hub, 'other');
      wire.socket.write(Buffer.from([0x32, 0xff, 0xff, 0xff, 0xff, 0x01]));
      await Promise.race([wire.closed, sleep(5000)]);
      assert.ok(wire.socket.destroyed, 'the connection stayed open');
      const next = await Wire.open(hub, 'sensor');
      next.socket.write(publish(sensorTopic(), 1, 'after the malformed one'));
      await next.until((ps) => ps.some((p) => p.cmd === 'puback'), 'PUBACK');
      next.socket.destroy();
    });

    it("refuses telemetry to another module's topic, as aedes's hook does", async () => {
      const wire = await Wire.open(hub, 'other');
      wire.socket.write(publish(sensorTopic(), 1, 'borrowed'));
      await Promise.race([wire.closed, sleep(5000)]);
      assert.ok(wire.socket.destroyed, 'the connection stayed open');
      assert.deepEqual(wire.pubacks(), []);
    });

    it("a receiver's PUBACK releases its delivery; an unacknowledged one comes again", async () => {
      const topic = sensorTopic();
      const sender = await Wire.open(hub, 'sensor');
      // A receiver that does not acknowledge: the message stays queued and comes again on the next connection.
      await receiver.end();
      const silent = await LeanClient.connect({
        port: hub.hub.ports.mqtt!,
        ...moduleLogin(hub.hub.device, 'filter'),
        ack: false,
      });
      const first: string[] = [];
      silent.onMessage = (_t, p) => first.push(p.toString());
      sender.socket.write(publish(topic, 1, 'kept until acknowledged'));
      const deadline = Date.now() + 5000;
      while (!first.includes('kept until acknowledged') && Date.now() < deadline) await sleep(10);
      assert.ok(first.includes('kept until acknowledged'));
      await silent.end();
      // Now one that acknowledges: it gets the message again, and after its PUBACK nothing more.
      const again: string[] = [];
      const acking = await LeanClient.connect({ port: hub.hub.ports.mqtt!, ...moduleLogin(hub.hub.device, 'filter') });
      acking.onMessage = (_t, p) => again.push(p.toString());
      const until = Date.now() + 5000;
      while (!again.includes('kept until acknowledged') && Date.now() < until) await sleep(10);
      assert.deepEqual(again, ['kept until acknowledged']);
      await sleep(200); // the release rides with the next commit, or goes on its own within 100 ms
      await acking.end();
      const last: string[] = [];
      receiver = await LeanClient.connect({ port: hub.hub.ports.mqtt!, ...moduleLogin(hub.hub.device, 'filter') });
      receiver.onMessage = (_t, p) => {
        last.push(p.toString());
        received.push(p.toString());
      };
      await sleep(500);
      assert.deepEqual(last, [], 'a delivery acknowledged on the fast path came again');
      sender.socket.destroy();
    });
  });
}
