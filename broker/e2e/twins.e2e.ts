// Module twins with the real Azure IoT SDK: desired properties from the configuration file, reported patches kept
// across a hub restart, desired patches after a configuration edit, twin change notifications routed to another
// module, sessions that keep the twin subscriptions, and bad twin requests answered without harm to either side.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import type mqtt from 'mqtt';
import { join } from 'node:path';
import { buildManifest } from '../../manifest/index.js';
import { Scrape } from './scrape.js';
import { Inbox, sleep, TestHub, type SdkModuleClient, type Transport } from './harness.js';

const ROUTES = {
  notes: 'FROM /twinChangeNotifications INTO BrokeredEndpoint("/modules/monitor/inputs/twins")',
};
const config = (desired: Record<string, Record<string, unknown>>) =>
  buildManifest({ modules: ['sensor', 'monitor', 'other'], routes: ROUTES, desired });

type Twin = Awaited<ReturnType<SdkModuleClient['getTwin']>>;

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A plain copy of SDK twin properties (without their `update` function). */
function plain(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function updateReported(twin: Twin, patch: object): Promise<void> {
  const reported = twin.properties.reported as unknown as {
    update: (patch: object, done: (err?: Error) => void) => void;
  };
  return new Promise((resolve, reject) => reported.update(patch, (err) => (err ? reject(err) : resolve())));
}

for (const transport of ['mqtt', 'amqp'] as Transport[]) {
  describe(`module twins (SDK, ${transport})`, () => {
    let hub: TestHub;
    const clients: SdkModuleClient[] = [];
    const open = async (id: string) => {
      const c = await hub.module(id, { transport });
      clients.push(c);
      return c;
    };

    before(async () => {
      hub = await TestHub.start(config({ sensor: { interval: 5, mode: { name: 'eco' } } }));
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    });
    after(() => hub.stop());

    it('reads desired properties from the configuration and keeps reported patches across a restart', async () => {
      const sensor = await open('sensor');
      const twin = await sensor.getTwin();
      assert.deepEqual(JSON.parse(JSON.stringify(twin.properties.desired)), {
        interval: 5,
        mode: { name: 'eco' },
        $version: 2,
      });
      await updateReported(twin, { firmware: '1.0', state: { temp: 20, fan: 'on' } });
      await updateReported(twin, { state: { fan: null, temp: 21 } });
      const again = await sensor.getTwin();
      assert.equal(again.properties.reported.firmware, '1.0');
      assert.deepEqual(plain(again.properties.reported).state, { temp: 21 });
      assert.equal(again.properties.reported.$version, 3);

      await sensor.close();
      clients.splice(0);
      const dir = hub.dir;
      await hub.stop(true);
      hub = await TestHub.start(config({ sensor: { interval: 5, mode: { name: 'eco' } } }), {}, dir);
      const after = await (await open('sensor')).getTwin();
      assert.deepEqual(JSON.parse(JSON.stringify(after.properties.reported)), {
        firmware: '1.0',
        state: { temp: 21 },
        $version: 3,
      });
      assert.equal(after.properties.desired.$version, 2, 'same configuration, same desired version');
    });

    it('sends a desired patch when the configuration file changes', async () => {
      const sensor = await open('sensor');
      const twin = await sensor.getTwin();
      const patches: Record<string, unknown>[] = [];
      twin.on('properties.desired', (p: Record<string, unknown>) => patches.push(plain(p)));
      await sleep(300); // the SDK subscribes to desired patches when the listener is added
      const before = Number(twin.properties.desired.$version);
      hub.writeConfig(config({ sensor: { interval: 10, mode: { name: 'eco' } } }));
      await until('a desired patch', () => patches.some((p) => p.$version === before + 1));
      assert.deepEqual(
        patches.find((p) => p.$version === before + 1),
        { interval: 10, $version: before + 1 },
      );
      assert.equal(twin.properties.desired.interval, 10);
      assert.deepEqual(JSON.parse(JSON.stringify(twin.properties.desired.mode)), { name: 'eco' });
    });

    it('routes reported changes FROM /twinChangeNotifications to another module, naming the sender', async () => {
      const monitor = await open('monitor');
      const inbox = new Inbox(monitor);
      await sleep(300);
      const sensor = await open('sensor');
      const twin = await sensor.getTwin();
      await updateReported(twin, { battery: 87 });
      // Earlier tests' reported changes were queued for monitor too: they arrive first.
      const battery = () => inbox.messages.find((m) => m.message.getBytes().toString().includes('battery'));
      await until('the notification', () => battery() !== undefined);
      const { input, message } = battery()!;
      assert.equal(input, 'twins');
      assert.deepEqual(JSON.parse(message.getBytes().toString()), { battery: 87 });
      if (transport === 'mqtt') {
        assert.equal(message.properties.getValue('$.cdid'), hub.hub.device.deviceId);
        assert.equal(message.properties.getValue('$.cmid'), 'sensor');
      }
    });

    it('refuses a bad reported patch with an error, and the module goes on', async () => {
      const sensor = await open('sensor');
      const twin = await sensor.getTwin();
      await assert.rejects(updateReported(twin, { 'bad.key': 1 }), /bad\.key.*may not contain/);
      await assert.rejects(updateReported(twin, { big: 'x'.repeat(5000) }), /string over 4096 bytes/);
      await updateReported(twin, { good: true });
      const scrape = await Scrape.from(hub.hub.ports.metrics!);
      assert.ok(scrape.value('edgehub_reported_properties_total', { id: `${hub.hub.device.deviceId}/sensor` }) >= 1);
      assert.equal((await sensor.getTwin()).properties.reported.good, true);
    });
  });
}

describe('module twins over raw MQTT (session and bad requests)', () => {
  let hub: TestHub;
  const raws: mqtt.MqttClient[] = [];
  before(async () => {
    hub = await TestHub.start(config({ other: { level: 1 } }));
  });
  afterEach(async () => {
    await Promise.all(raws.splice(0).map((c) => c.endAsync().catch(() => undefined)));
  });
  after(() => hub.stop());

  const answers = (client: mqtt.MqttClient) => {
    const got: { topic: string; body: string }[] = [];
    client.on('message', (topic, body) => got.push({ topic, body: body.toString() }));
    return got;
  };

  it('keeps the twin subscriptions in the session: a reconnect without SUBSCRIBE still gets patches and answers', async () => {
    const first = await hub.rawClient('other');
    await first.subscribeAsync('$iothub/twin/res/#', { qos: 0 });
    await first.subscribeAsync('$iothub/twin/PATCH/properties/desired/#', { qos: 0 });
    const firstGot = answers(first);
    first.publish('$iothub/twin/GET/?$rid=g1', ' ');
    await until('the GET answer', () => firstGot.length === 1);
    assert.match(firstGot[0]!.topic, /^\$iothub\/twin\/res\/200\/\?\$rid=g1$/);
    assert.deepEqual(plain(JSON.parse(firstGot[0]!.body)).desired, { level: 1, $version: 2 });
    await first.endAsync();

    // Offline: the configuration changes; back (no SUBSCRIBE): the patch from what it saw arrives.
    hub.writeConfig(config({ other: { level: 2, added: 'yes' } }));
    await sleep(600); // the configuration is polled every 100 ms (a twin read here would count as seeing it)
    const second = await hub.rawClient('other');
    raws.push(second);
    const got = answers(second);
    await until('the catch-up patch', () => got.length === 1);
    assert.equal(got[0]!.topic, '$iothub/twin/PATCH/properties/desired/?$version=3');
    assert.deepEqual(JSON.parse(got[0]!.body), { level: 2, added: 'yes', $version: 3 });
    hub.writeConfig(config({ other: { level: 3, added: 'yes' } }));
    await until('the live patch', () => got.length === 2);
    assert.deepEqual(JSON.parse(got[1]!.body), { level: 3, $version: 4 });
  });

  it('answers every bad twin request with JSON the SDK can parse, and keeps the connection', async () => {
    const c = await hub.rawClient('other');
    raws.push(c);
    await c.subscribeAsync('$iothub/twin/res/#', { qos: 0 });
    const got = answers(c);
    c.publish('$iothub/twin/PATCH/properties/reported/?$rid=p1', 'not json');
    c.publish('$iothub/twin/PATCH/properties/reported/?$rid=p2', '[1,2]');
    c.publish('$iothub/twin/PATCH/properties/reported/?$rid=p3', '{"$version":5}');
    c.publish('$iothub/twin/DELETE/?$rid=p4', ' ');
    c.publish('$iothub/twin/GET/', ' '); // no $rid: nothing to answer to
    c.publish('$iothub/twin/PATCH/properties/reported/?$rid=p5', JSON.stringify({ ok: 1 }));
    c.publish('$iothub/twin/PATCH/properties/reported/?$rid=p6', JSON.stringify({ big: 'x'.repeat(40_000) }));
    await until('six answers', () => got.length === 6);
    const byRid = new Map(got.map((g) => [new URLSearchParams(g.topic.split('?')[1]).get('$rid'), g]));
    for (const [rid, pattern] of [
      ['p1', /not valid JSON/],
      ['p2', /must be a JSON object, got an array/],
      ['p3', /key "\$version"/],
      ['p4', /unsupported twin operation "DELETE\/"/],
    ] as const) {
      const answer = byRid.get(rid)!;
      assert.match(answer.topic, /^\$iothub\/twin\/res\/400\//, rid);
      const body = JSON.parse(answer.body) as { errorCode: number; message: string };
      assert.equal(body.errorCode, 400);
      assert.match(body.message, pattern);
    }
    assert.match(byRid.get('p6')!.topic, /^\$iothub\/twin\/res\/413\//);
    assert.match((JSON.parse(byRid.get('p6')!.body) as { message: string }).message, /over 32768/);
    assert.match(byRid.get('p5')!.topic, /^\$iothub\/twin\/res\/204\/\?\$rid=p5&\$version=\d+$/);
    assert.equal(byRid.get('p5')!.body, '');
    assert.equal(c.connected, true);
  });
});

/** `edgehub …` as a separate process (asynchronously: the hub under test runs in this process). */
function edgehub(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = fileURLToPath(new URL('../../bin/edgehub.js', import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('operator commands: edgehub twin get, edgehub method invoke (control socket)', () => {
  let hub: TestHub;
  let sensor: SdkModuleClient;
  before(async () => {
    hub = await TestHub.start(config({ sensor: { interval: 7 } }));
    sensor = await hub.module('sensor');
    sensor.onMethod('reset', (req, res) => {
      void res?.send(200, { reset: (req?.payload as unknown) ?? null });
    });
    sensor.onMethod('broken', (_req, res) => {
      void res?.send(503, 'not now');
    });
    await sleep(300);
  });
  after(async () => {
    await sensor.close();
    await hub.stop();
  });

  it('prints a twin, and says clearly what is wrong otherwise', async () => {
    const ok = await edgehub(['twin', 'get', 'sensor', '--data', hub.dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { desired: { interval: 7, $version: 2 }, reported: { $version: 1 } });
    const unknown = await edgehub(['twin', 'get', 'ghost', '--data', hub.dir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /module "ghost" is not in the deployment manifest/);
    const noHub = await edgehub(['twin', 'get', 'sensor', '--data', join(hub.dir, 'nowhere')]);
    assert.equal(noHub.code, 2);
    assert.match(noHub.stderr, /no running hub found/);
    const scrape = await Scrape.from(hub.hub.ports.metrics!);
    assert.ok(scrape.value('edgehub_gettwin_total', { id: `${hub.hub.device.deviceId}/sensor` }) >= 1);
  });

  it('invokes a method and prints the answer; exit code 1 for an error status, no handler or offline', async () => {
    const ok = await edgehub(['method', 'invoke', 'sensor', 'reset', '{"level":2}', '--data', hub.dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { status: 200, payload: { reset: { level: 2 } } });
    const bad = await edgehub(['method', 'invoke', 'sensor', 'broken', '--data', hub.dir]);
    assert.equal(bad.code, 1);
    assert.deepEqual(JSON.parse(bad.stdout), { status: 503, payload: 'not now' });
    const none = await edgehub(['method', 'invoke', 'sensor', 'nothing', '--timeout', '1', '--data', hub.dir]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /did not answer method "nothing" within 1 s/);
    const offline = await edgehub(['method', 'invoke', 'monitor', 'reset', '--data', hub.dir]);
    assert.equal(offline.code, 1);
    assert.match(offline.stderr, /monitor is not connected/);
    const notJson = await edgehub(['method', 'invoke', 'sensor', 'reset', 'plain text', '--data', hub.dir]);
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /payload must be JSON/);
  });
});
