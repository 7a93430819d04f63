// Fuzzing the MQTT head, plain and TLS, against a hub process: mutated CONNECT/SUBSCRIBE/PUBLISH packets
// (mutator.ts, a fixed seed), truncated packets, huge remaining lengths, 10k filters, 10k properties, invalid
// UTF-8, CONNECT floods and slowloris connections. After each batch: the hub process is alive, a control pair
// of SDK modules still routes a message end to end, its RSS stays bounded, and the messages it stored for an
// offline module before the storm are all still there (and arrive at the end).
//
//   npm test -- broker/e2e/fuzz                      CI: 20,000 inputs, seed 16
//   EDGEHUB_FUZZ_FULL=1 npm test -- broker/e2e/fuzz  1,000,000 inputs
//   EDGEHUB_FUZZ_INPUTS=N EDGEHUB_FUZZ_SEED=S        any count, another seed (a failure prints its seed)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import azureDevice from 'azure-iot-device';
import azureMqtt from 'azure-iot-device-mqtt';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { deriveModuleKey, formatConnectionString } from '../../manifest/index.js';
import { createSasToken } from '../auth/sas.js';
import { manifest, sleep } from './harness.js';
import { startHubProcess, type HubProcess } from './hub-process.js';
import { Mutator, remainingLength, type FuzzIdentity } from './mutator.js';
import { Scrape } from './scrape.js';

const FULL = process.env.EDGEHUB_FUZZ_FULL === '1';
const INPUTS = Number(process.env.EDGEHUB_FUZZ_INPUTS ?? (FULL ? 1_000_000 : 20_000));
const SEED = Number(process.env.EDGEHUB_FUZZ_SEED ?? 16);
const PER_BATCH = Math.max(1000, Math.min(25_000, Math.ceil(INPUTS / 8)));
const LANES = 8; // parallel fuzzing connections; lanes 0 and 1 speak TLS, the others plain MQTT
const TLS_LANES = 2;
/** The hub's resident memory must stay under this (MB): it idles at about 100 MB. */
const RSS_LIMIT_MB = 400;
const KEPT = 20;
/** Share of the inputs that are a mutated first packet on a fresh connection (the rest ride on sessions). */
const CONNECT_SHARE = 0.25;

interface Device {
  deviceId: string;
  iothubHostName: string;
  deviceKey: string;
}

const dir = mkdtempSync(join(tmpdir(), 'edgehub-fuzz-'));
const lanes = Array.from({ length: LANES }, (_, i) => `fuzz${i}`);
const floods = Array.from({ length: 4 }, (_, i) => `flood${i}`);
const routes: Record<string, string> = {
  control: 'FROM /messages/modules/sensor/outputs/control INTO BrokeredEndpoint("/modules/filter/inputs/control")',
  keep: 'FROM /messages/modules/sensor/outputs/keep INTO BrokeredEndpoint("/modules/keeper/inputs/in")',
};
for (const l of lanes) routes[l] = `FROM /messages/modules/${l}/* INTO BrokeredEndpoint("/modules/drain/inputs/in")`;

describe('fuzzing the MQTT head', () => {
  let hub: HubProcess;
  let device: Device;
  let ca: string;
  const sockets = new Set<Socket>();
  const clients: { close: () => Promise<unknown> }[] = [];
  const token = (moduleId: string, key?: string) =>
    createSasToken(
      `${device.iothubHostName}/devices/${device.deviceId}/modules/${moduleId}`,
      key ?? deriveModuleKey(device.deviceKey, moduleId),
      Math.floor(Date.now() / 1000) + 3600,
    );
  const identity = (moduleId: string): FuzzIdentity => ({
    deviceId: device.deviceId,
    moduleId,
    iothubHostName: device.iothubHostName,
    token: token(moduleId),
  });
  const alive = () => hub.child.exitCode === null && hub.child.signalCode === null;
  const rssMb = (): number => {
    const status = readFileSync(`/proc/${hub.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  };

  async function sdkModule(moduleId: string) {
    const client = azureDevice.ModuleClient.fromConnectionString(
      formatConnectionString({
        hostName: device.iothubHostName,
        gatewayHostName: `127.0.0.1:${hub.ports.mqtts}`,
        deviceId: device.deviceId,
        moduleId,
        sharedAccessKey: deriveModuleKey(device.deviceKey, moduleId),
      }),
      azureMqtt.Mqtt,
    );
    await client.setOptions({ ca });
    const bodies: string[] = [];
    client.on('inputMessage', (_input: string, m: InstanceType<typeof azureDevice.Message>) =>
      bodies.push(m.getBytes().toString()),
    );
    await client.open();
    clients.push(client);
    return { client, bodies };
  }

  /** Opens a connection, plain or TLS, tracked so that nothing outlives the suite. */
  function open(tls: boolean): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = tls
        ? tlsConnect({ host: '127.0.0.1', port: hub.ports.mqtts, ca, servername: 'localhost' })
        : netConnect({ host: '127.0.0.1', port: hub.ports.mqtt! });
      sockets.add(s);
      s.on('error', () => undefined);
      s.once('close', () => sockets.delete(s));
      s.resume(); // whatever the hub answers is read and dropped
      s.once(tls ? 'secureConnect' : 'connect', () => resolve(s));
      s.once('close', () => reject(new Error('closed before connecting')));
    });
  }

  /**
   * Writes `first` on a new connection and waits (bounded) until the hub has dealt with it. With `rest`, `first`
   * is a CONNECT: after the CONNACK (aedes drops a client that sends more than 42 packets before it), `rest`
   * follows, then a half-close. aedes reads a connection's bytes only as fast as it handles its packets and
   * closes it at the end of the stream, so the close means every packet was handed to its handler. Without
   * `rest`, the connection is half-closed at once. A connection the hub does not close in time counts as hung.
   */
  async function send(tls: boolean, first: Buffer, rest?: Buffer): Promise<void> {
    let s: Socket;
    try {
      s = await open(tls);
    } catch {
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        hung++;
        s.destroy();
        resolve();
      }, 5000);
      s.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (rest === undefined) {
        s.end(first);
        return;
      }
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on('packet', (p) => {
        if (p.cmd === 'connack') s.end(rest);
      });
      parser.on('error', () => s.destroy());
      s.on('data', (d: Buffer) => parser.parse(d));
      s.write(first);
    });
  }

  let hung = 0;
  const counts = { connect: 0, session: 0, big: 0, flood: 0, slowloris: 0 };
  const total = () => Object.values(counts).reduce((a, b) => a + b, 0);

  /** One lane: connections of one fuzz identity until `quota` inputs are sent. */
  async function lane(index: number, quota: number, m: Mutator): Promise<void> {
    const tls = index < TLS_LANES;
    let sent = 0;
    let connects = 0;
    while (sent < quota) {
      if (connects < (sent + 1) * CONNECT_SHARE) {
        connects++;
        // A mutated packet (mostly a CONNECT) as the first bytes of a fresh connection.
        await send(tls, m.mutate(m.rng.chance(0.7) ? m.connect() : m.seedPacket()));
        counts.connect++;
        sent++;
        continue;
      }
      // A session: a valid CONNECT, then real packets with fuzzed content, and now and then a mutated one.
      const n = Math.min(quota - sent, 10 + m.rng.int(90));
      const packets: Buffer[] = [];
      const broken = m.rng.chance(0.3) ? m.rng.int(n) : -1;
      for (let i = 0; i < n; i++) packets.push(i === broken ? m.mutate(m.validPacket()) : m.validPacket());
      await send(tls, m.connect(m.rng.chance(0.2)), Buffer.concat(packets));
      counts.session += n;
      sent += n;
    }
  }

  /** Inputs that need room: 10k filters, 10k properties, a huge remaining length, truncated packets. */
  async function big(m: Mutator): Promise<void> {
    const connect = m.connect();
    const inputs = [
      m.manyFilters(10_000),
      m.manyOwnFilters(10_000),
      m.manyProperties(10_000),
      // A PUBLISH that claims 256 MB and brings 1 MB of it, then the connection ends.
      Buffer.concat([Buffer.from([0x32]), remainingLength(268_435_455), Buffer.alloc(1 << 20, 0x61)]),
      Buffer.concat([Buffer.from([0x10]), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])]), // a 5-byte length
      m.connect().subarray(0, 7),
    ];
    for (const [i, input] of inputs.entries()) {
      // The first three are complete packets: the PINGRESP after them says they were handled.
      if (i < 3) await send(i % 2 === 0, connect, input);
      else await send(i % 2 === 0, i === inputs.length - 1 ? input : Buffer.concat([connect, input]));
      counts.big++;
    }
  }

  /** A CONNECT flood: 300 connections at once, valid (session takeovers), wrong keys and garbage. */
  async function flood(m: Mutator): Promise<void> {
    const wrongKey = deriveModuleKey('d3Jvbmcga2V5IGZvciB0aGUgZnV6eiBzdWl0ZSEhIQ==', 'flood0');
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const id = identity(floods[i % floods.length]!);
        const kind = i % 3;
        const packet =
          kind === 0
            ? new Mutator(SEED + i, id).connect()
            : kind === 1
              ? new Mutator(SEED + i, { ...id, token: token(id.moduleId, wrongKey) }).connect()
              : m.rng.bytes(1 + m.rng.int(64));
        counts.flood++;
        return send(i % 10 === 0, packet);
      }),
    );
  }

  /** Slowloris: 40 connections that dribble a CONNECT one byte at a time and never finish it. */
  async function slowloris(m: Mutator): Promise<() => void> {
    const held: Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    for (let i = 0; i < 40; i++) {
      try {
        const s = await open(i % 4 === 0);
        const bytes = m.connect();
        let at = 0;
        timers.push(
          setInterval(() => {
            if (at < bytes.length - 1) s.write(bytes.subarray(at, ++at));
          }, 200),
        );
        held.push(s);
        counts.slowloris++;
      } catch {
        // refused: fine, the hub protects itself
      }
    }
    return () => {
      timers.forEach(clearInterval);
      held.forEach((s) => s.destroy());
    };
  }

  before(async () => {
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify(manifest(['sensor', 'filter', 'keeper', 'drain', ...lanes, ...floods], routes)),
    );
    hub = await startHubProcess(['--data', dir, '--mqtt-port', '0', '--metrics-port', '0', '--log-level', 'info']);
    device = JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8')) as Device;
    ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    if (alive()) hub.child.kill('SIGTERM');
    await hub.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${INPUTS} inputs (seed ${SEED}), routes after every batch, keeps what it stored`, async () => {
    const started = Date.now();
    // Stored before the storm, for a module that stays away until the end.
    const sensor = await sdkModule('sensor');
    for (let i = 0; i < KEPT; i++) await sensor.client.sendOutputEvent('keep', new azureDevice.Message(`kept-${i}`));
    const filter = await sdkModule('filter');
    await sleep(200);
    // The fuzzed telemetry is routed to a plain MQTT receiver: deliveries of fuzzed property bags.
    let drained = 0;
    const connectDrain = async () => {
      const drain = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.ports.mqtt}`, {
        clientId: `${device.deviceId}/drain`,
        username: `${device.iothubHostName}/${device.deviceId}/drain/?api-version=2021-04-12`,
        password: token('drain'),
        protocolVersion: 4,
        clean: false,
        reconnectPeriod: 0,
      });
      drain.on('error', () => undefined);
      drain.on('message', () => drained++);
      await drain.subscribeAsync(`devices/${device.deviceId}/modules/drain/inputs/#`, { qos: 1 });
      return drain;
    };
    let drain = await connectDrain();
    clients.push({ close: () => drain.endAsync() });

    const events = new Map<string, number>();
    const rssStart = rssMb();
    let rssMax = rssStart;
    const mutators = lanes.map((l, i) => new Mutator(SEED * 1000 + i, identity(l)));
    let batch = 0;
    while (total() < INPUTS) {
      batch++;
      const release = await slowloris(mutators[0]!);
      const quota = Math.ceil(Math.min(PER_BATCH, INPUTS - total()) / LANES);
      await Promise.all(mutators.map((m, i) => lane(i, quota, m)));
      await big(mutators[1]!);
      await flood(mutators[2]!);

      const context = `batch ${batch} (seed ${SEED}, ${total()} inputs)`;
      assert.ok(alive(), `the hub process died in ${context}: ${JSON.stringify(hub.lines.slice(-3))}`);
      // The control pair routes while the slowloris connections are still hanging.
      const body = `control-${batch}`;
      await sensor.client.sendOutputEvent('control', new azureDevice.Message(body));
      const deadline = Date.now() + 15_000;
      while (!filter.bodies.includes(body) && Date.now() < deadline) await sleep(20);
      assert.ok(filter.bodies.includes(body), `the control message did not arrive after ${context}`);
      release();
      const rss = rssMb();
      rssMax = Math.max(rssMax, rss);
      console.log(
        `fuzz batch ${batch}: ${total()} inputs, ${((Date.now() - started) / 1000).toFixed(1)} s, hub RSS ${rss.toFixed(0)} MB`,
      );
      assert.ok(rss < RSS_LIMIT_MB, `hub RSS ${rss.toFixed(0)} MB after ${context}`);
      const scrape = await Scrape.from(hub.ports.metrics!);
      assert.equal(
        scrape.value('edgehub_queue_length', { endpoint: 'keeper/in' }),
        KEPT,
        `stored messages after ${context}`,
      );
      if (drain.disconnected) drain = await connectDrain();
      // Log lines are checked per batch, then dropped, so a long run does not hold a million of them.
      const errors = hub.lines.filter((l) => typeof l.level === 'number' && l.level >= 50);
      assert.deepEqual(
        errors.map((l) => `${String(l.event)}: ${String(l.msg)}`).slice(0, 5),
        [],
        `error log lines in ${context}`,
      );
      for (const l of hub.lines) {
        const key =
          process.env.EDGEHUB_FUZZ_EVENTS === '2'
            ? `${String(l.event)} ${JSON.stringify(l.err ?? l.reason ?? '').slice(0, 60)}`
            : String(l.event);
        events.set(key, (events.get(key) ?? 0) + 1);
      }
      hub.lines.length = 0;
    }

    // What was stored before the storm arrives, complete and in order.
    const keeper = await sdkModule('keeper');
    const deadline = Date.now() + 15_000;
    while (keeper.bodies.length < KEPT && Date.now() < deadline) await sleep(50);
    assert.deepEqual(
      keeper.bodies,
      Array.from({ length: KEPT }, (_, i) => `kept-${i}`),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `fuzz: ${total()} inputs (${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ', ',
        )}) in ${batch} batches, ${seconds.toFixed(1)} s, seed ${SEED}; hub RSS ${rssStart.toFixed(0)} MB at start, ` +
        `${rssMax.toFixed(0)} MB max, ${rssMb().toFixed(0)} MB at the end; ${drained} fuzzed messages delivered to the drain, ${hung} connections not closed by the hub within 5 s`,
    );
    // EDGEHUB_FUZZ_EVENTS=1: the hub's log events by count (2: with their error or reason).
    if (process.env.EDGEHUB_FUZZ_EVENTS) console.log([...events].sort((a, b) => b[1] - a[1]));
  });
});
