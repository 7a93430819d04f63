// A poison message: a property bag that fits the sender's topic but not, once percent-encoded again, the
// receiver's input topic (MQTT topics are at most 65,535 bytes; a raw `=`, `$`, space or UTF-8 byte becomes
// three bytes). It must be refused at ingest, never stored, and a stored one (a store written by an earlier
// version) must fail alone on delivery: the hub process lives on, the receiver gets every other message.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import azureDevice from 'azure-iot-device';
import azureMqtt from 'azure-iot-device-mqtt';
import mqtt from 'mqtt';
import { deriveModuleKey, formatConnectionString } from '../../manifest/index.js';
import { createSasToken } from '../auth/sas.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { manifest, sleep } from './harness.js';
import { startHubProcess, type HubProcess } from './hub-process.js';
import { Scrape } from './scrape.js';

interface Device {
  deviceId: string;
  iothubHostName: string;
  deviceKey: string;
}

const dir = mkdtempSync(join(tmpdir(), 'edgehub-poison-'));
const running: HubProcess[] = [];
after(async () => {
  for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  rmSync(dir, { recursive: true, force: true });
});

/** 30,000 raw `=` in one value: 30 kB on the way in, 90 kB once encoded as %3D for the input topic. */
const POISON_VALUE = '='.repeat(30_000);

async function start(): Promise<HubProcess> {
  const p = await startHubProcess(['--data', dir, '--metrics-port', '0']);
  running.push(p);
  return p;
}

async function stop(p: HubProcess): Promise<void> {
  p.child.kill('SIGTERM');
  const exit = await p.exited;
  assert.equal(exit.code, 0, 'SIGTERM drains and exits 0');
}

function device(): { device: Device; ca: string } {
  return {
    device: JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8')) as Device,
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
  };
}

/** The sender as a plain MQTT client: it writes the bag raw, as a careless module (or an attacker) would. */
async function sensor(port: number): Promise<mqtt.MqttClient> {
  const { device: d, ca } = device();
  const clientId = `${d.deviceId}/sensor`;
  return mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
    clientId,
    username: `${d.iothubHostName}/${clientId}/?api-version=2021-04-12`,
    password: createSasToken(
      `${d.iothubHostName}/devices/${d.deviceId}/modules/sensor`,
      deriveModuleKey(d.deviceKey, 'sensor'),
      Math.floor(Date.now() / 1000) + 3600,
    ),
    protocolVersion: 4,
    clean: false,
    ca,
    reconnectPeriod: 0,
  });
}

/** The receiver with the real SDK, collecting input message bodies. */
async function filter(port: number): Promise<{ close: () => Promise<unknown>; bodies: string[] }> {
  const { device: d, ca } = device();
  const client = azureDevice.ModuleClient.fromConnectionString(
    formatConnectionString({
      hostName: d.iothubHostName,
      gatewayHostName: `127.0.0.1:${port}`,
      deviceId: d.deviceId,
      moduleId: 'filter',
      sharedAccessKey: deriveModuleKey(d.deviceKey, 'filter'),
    }),
    azureMqtt.Mqtt,
  );
  await client.setOptions({ ca });
  const bodies: string[] = [];
  client.on('inputMessage', (_input: string, m: InstanceType<typeof azureDevice.Message>) =>
    bodies.push(m.getBytes().toString()),
  );
  await client.open();
  return { close: () => client.close(), bodies };
}

async function until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function storedBodies(): string[] {
  const store = new SqliteStore({ path: join(dir, 'store.db'), checkpoints: 'automatic' });
  try {
    return store.readQueue('filter/in', 2_000_000_000, 0, 100).map((e) => e.message.body.toString());
  } finally {
    store.close();
  }
}

const alive = (p: HubProcess) => p.child.exitCode === null && p.child.signalCode === null;

describe('poison message', () => {
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify(
      manifest(['sensor', 'filter'], {
        r: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/filter/inputs/in")',
      }),
    ),
  );

  it('is acknowledged, dropped and counted at ingest, never stored, and the hub keeps routing', async () => {
    const hub = await start();
    const topic = (bag: string) => `devices/${device().device.deviceId}/modules/sensor/messages/events/${bag}/`;
    const s = await sensor(hub.ports.mqtts);
    await s.publishAsync(topic(`%24.on=out&k=${POISON_VALUE}`), 'poison-1', { qos: 1 });
    await s.publishAsync(topic('%24.on=out&k=fine'), 'after-1', { qos: 1 });
    await stop(hub);
    assert.deepEqual(storedBodies(), ['after-1'], 'only the deliverable message was stored');

    const again = await start();
    const s2 = await sensor(again.ports.mqtts);
    const f = await filter(again.ports.mqtts);
    await until('after-1', () => f.bodies.includes('after-1'));
    // With the receiver connected, the same poison again, then one more: the hub stays up and delivers it.
    await s2.publishAsync(topic(`%24.on=out&k=${POISON_VALUE}`), 'poison-2', { qos: 1 });
    await s2.publishAsync(topic('%24.on=out&k=fine'), 'after-2', { qos: 1 });
    await until('after-2', () => f.bodies.includes('after-2'));
    assert.ok(alive(again), 'the hub process is alive');
    assert.deepEqual(f.bodies, ['after-1', 'after-2']);
    const scrape = await Scrape.from(again.ports.metrics!);
    assert.equal(scrape.value('edgehub_messages_dropped_total', { reason: 'undeliverable' }), 1);
    const logged = again.lines.find((l) => l.event === 'route.undeliverable');
    assert.ok(logged, 'one log line says what was dropped');
    assert.equal(logged.endpoint, 'filter/in');
    assert.equal(logged.route, 'r');
    await Promise.all([f.close(), s.endAsync(), s2.endAsync()]);
    await stop(again);
  });

  it('already in the store (an earlier version stored it): fails alone on delivery, the hub survives', async () => {
    // Written through the store API, as a version without the ingest check would have stored it.
    const store = new SqliteStore({ path: join(dir, 'store.db'), checkpoints: 'automatic' });
    const last = store.lastIds();
    const d = device().device;
    const sys = { outputName: 'out', connectionDeviceId: d.deviceId, connectionModuleId: 'sensor' };
    const message = (id: number, body: string, k: string) => ({
      id,
      properties: { k },
      systemProperties: sys,
      body: Buffer.from(body),
      enqueuedMs: Date.now(),
    });
    const entry = (seq: number, m: ReturnType<typeof message>) => ({
      endpointId: 'filter/in',
      priority: 2_000_000_000,
      seq,
      expiresMs: 0,
      message: m,
    });
    const poison = message(last.messageId + 1, 'stored-poison', POISON_VALUE);
    const fine = message(last.messageId + 2, 'stored-fine', 'fine');
    store.write(
      [
        { message: poison, entries: [entry(last.seq + 1, poison)] },
        { message: fine, entries: [entry(last.seq + 2, fine)] },
      ],
      [],
    );
    await store.shutdown();

    const hub = await start();
    const f = await filter(hub.ports.mqtts);
    await until('stored-fine', () => f.bodies.includes('stored-fine'));
    await sleep(300); // the hub would die right after writing the poison message's header
    assert.ok(alive(hub), 'the hub process is alive');
    assert.deepEqual(f.bodies, ['stored-fine']);
    const scrape = await Scrape.from(hub.ports.metrics!);
    assert.equal(scrape.value('edgehub_messages_dropped_total', { reason: 'delivery_failed' }), 1);
    const logged = hub.lines.find((l) => l.event === 'delivery.failed');
    assert.ok(logged, 'one log line names the endpoint and the cause');
    assert.equal(logged.endpoint, 'filter/in');
    assert.equal(logged.module, 'filter');
    await f.close();
    await stop(hub);
    assert.deepEqual(storedBodies(), [], 'the poison message is released, not redelivered forever');
  });
});
