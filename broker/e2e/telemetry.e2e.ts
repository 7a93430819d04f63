// Module → route → module with the real Azure IoT SDK over MQTT/TLS: conditions, fan-out, offline queues, TTL,
// priority, token renewal and live route changes.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Inbox, jsonMessage, manifest, Message, sleep, TestHub, type SdkModuleClient } from './harness.js';

const ROUTES = {
  hot: 'FROM /messages/modules/sensor/outputs/out1 WHERE as_number(level) > 3 INTO BrokeredEndpoint("/modules/filter/inputs/hot")',
  body: 'FROM /messages/modules/sensor/outputs/out1 WHERE $body.machine.temperature > 90 INTO BrokeredEndpoint("/modules/filter/inputs/body")',
  fan1: 'FROM /messages/modules/sensor/outputs/fan INTO BrokeredEndpoint("/modules/filter/inputs/a")',
  fan2: 'FROM /messages/modules/sensor/outputs/fan INTO BrokeredEndpoint("/modules/monitor/inputs/b")',
};

describe('telemetry through routes (SDK, MQTT)', () => {
  let hub: TestHub;
  const clients: SdkModuleClient[] = [];
  const open = async (id: string, opts?: Parameters<TestHub['module']>[1]) => {
    const c = await hub.module(id, opts);
    clients.push(c);
    return c;
  };

  before(async () => {
    hub = await TestHub.start(manifest(['sensor', 'filter', 'monitor'], ROUTES));
  });
  // Each test closes its clients: two SDK clients of one identity would take the session from each other.
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  after(() => hub.stop());

  it('delivers on the right input with body and properties intact, by property and by $body conditions', async () => {
    const sensor = await open('sensor');
    const filter = await open('filter');
    const inbox = new Inbox(filter);
    await sleep(200); // the SDK subscribes to inputs when the listener is added

    const m = jsonMessage({ machine: { temperature: 95 } }, { level: '5', 'key with space': 'v/&=1' });
    m.messageId = 'msg-1';
    m.correlationId = 'corr-1';
    await sensor.sendOutputEvent('out1', m);
    await inbox.waitFor(2);
    const byInput = new Map(inbox.messages.map((x) => [x.input, x.message]));
    assert.deepEqual([...byInput.keys()].sort(), ['body', 'hot']);
    for (const got of byInput.values()) {
      assert.equal(got.getBytes().toString(), '{"machine":{"temperature":95}}');
      assert.equal(got.properties.getValue('level'), '5');
      assert.equal(got.properties.getValue('key with space'), 'v/&=1');
      assert.equal(got.messageId, 'msg-1');
      assert.equal(got.correlationId, 'corr-1');
      assert.equal(got.contentType, 'application/json');
      assert.equal(got.contentEncoding, 'utf-8');
    }

    // level 2 and temperature 20: neither condition holds, nothing arrives.
    await sensor.sendOutputEvent('out1', jsonMessage({ machine: { temperature: 20 } }, { level: '2' }));
    // level 7 with a non-JSON body: only the property route takes it.
    const plain = new Message('not json');
    plain.properties.add('level', '7');
    await sensor.sendOutputEvent('out1', plain);
    await inbox.waitFor(3);
    await sleep(300);
    assert.equal(inbox.messages.length, 3);
    assert.equal(inbox.messages[2]!.input, 'hot');
    assert.equal(inbox.messages[2]!.message.getBytes().toString(), 'not json');
  });

  it('fans one output out to two modules, and drops what no route takes', async () => {
    const sensor = await open('sensor');
    const filter = await open('filter');
    const monitor = await open('monitor');
    const a = new Inbox(filter);
    const b = new Inbox(monitor);
    await sleep(200);
    await sensor.sendOutputEvent('fan', new Message('to both'));
    await sensor.sendOutputEvent('nowhere', new Message('dropped'));
    await sensor.sendEvent(new Message('plain telemetry, no route'));
    await a.waitFor(1);
    await b.waitFor(1);
    await sleep(300);
    assert.deepEqual(a.bodies(), ['to both']);
    assert.deepEqual(b.bodies(), ['to both']);
    assert.equal(a.messages[0]!.input, 'a');
    assert.equal(b.messages[0]!.input, 'b');
  });
});

describe('offline receivers, TTL and priority', () => {
  let hub: TestHub;
  after(() => hub.stop());

  it('queues for an offline module: in order, expired ones dropped, priority 0 before 5', async () => {
    hub = await TestHub.start(
      manifest(['sensor', 'late'], {
        low: {
          route: 'FROM /messages/modules/sensor/outputs/low INTO BrokeredEndpoint("/modules/late/inputs/in")',
          priority: 5,
        },
        high: {
          route: 'FROM /messages/modules/sensor/outputs/high INTO BrokeredEndpoint("/modules/late/inputs/in")',
          priority: 0,
        },
        short: {
          route: 'FROM /messages/modules/sensor/outputs/short INTO BrokeredEndpoint("/modules/late/inputs/in")',
          priority: 0,
          timeToLiveSecs: 1,
        },
      }),
    );
    const sensor = await hub.module('sensor');
    for (let i = 0; i < 5; i++) await sensor.sendOutputEvent('low', new Message(`low-${i}`));
    await sensor.sendOutputEvent('short', new Message('expires'));
    for (let i = 0; i < 5; i++) await sensor.sendOutputEvent('high', new Message(`high-${i}`));
    await sleep(1500); // the 1 s TTL passes while `late` is away
    const late = await hub.module('late');
    const inbox = new Inbox(late);
    await inbox.waitFor(10);
    await sleep(300);
    assert.deepEqual(inbox.bodies(), [
      'high-0',
      'high-1',
      'high-2',
      'high-3',
      'high-4',
      'low-0',
      'low-1',
      'low-2',
      'low-3',
      'low-4',
    ]);
    await sensor.close();
    await late.close();
  });
});

describe('sessions', () => {
  let hub: TestHub;
  after(() => hub.stop());

  it('keeps delivering inputs across token-renewal reconnects, which never resubscribe', async () => {
    hub = await TestHub.start(
      manifest(['sensor', 'filter'], {
        r: 'FROM /messages/modules/sensor/* INTO BrokeredEndpoint("/modules/filter/inputs/in")',
      }),
    );
    const sensor = await hub.module('sensor');
    // A 3 s token renewed 1 s before expiry: the SDK disconnects and reconnects every ~2 s.
    const filter = await hub.module('filter', {
      tokenRenewal: { tokenValidTimeInSeconds: 3, tokenRenewalMarginInSeconds: 1 },
    });
    const inbox = new Inbox(filter);
    await sleep(200);
    const reconnects = hub.hub.metrics.clientConnectSuccess;
    const before =
      (await reconnects.get()).values.find((v) => v.labels.id === `${hub.hub.device.deviceId}/filter`)?.value ?? 0;
    for (let i = 0; i < 6; i++) {
      await sensor.sendOutputEvent('out', new Message(`m${i}`));
      await sleep(1000);
    }
    await inbox.waitFor(6);
    const afterCount =
      (await reconnects.get()).values.find((v) => v.labels.id === `${hub.hub.device.deviceId}/filter`)?.value ?? 0;
    assert.ok(afterCount - before >= 2, `expected token-renewal reconnects, saw ${afterCount - before}`);
    assert.deepEqual(inbox.bodies(), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    await sensor.close();
    await filter.close();
  });
});

describe('sessions across a hub restart', () => {
  it("keeps a clean=false session's subscriptions, so a client that does not resubscribe still gets its inputs", async () => {
    const config = manifest(['sensor', 'filter'], {
      r: 'FROM /messages/modules/sensor/* INTO BrokeredEndpoint("/modules/filter/inputs/in")',
    });
    let hub = await TestHub.start(config);
    const dir = hub.dir;
    const first = await hub.rawClient('filter');
    await first.subscribeAsync(`devices/${hub.hub.device.deviceId}/modules/filter/inputs/#`, { qos: 1 });
    await first.endAsync();
    await hub.stop(true);

    hub = await TestHub.start(config, {}, dir);
    try {
      const again = await hub.rawClient('filter'); // no SUBSCRIBE, as the SDK after a reconnect
      const got = new Promise<{ topic: string; body: string }>((resolve) =>
        again.once('message', (topic, payload) => resolve({ topic, body: payload.toString() })),
      );
      const sensor = await hub.module('sensor');
      await sensor.sendOutputEvent('out', new Message('after restart'));
      const { topic, body } = await got;
      assert.match(topic, new RegExp(`^devices/${hub.hub.device.deviceId}/modules/filter/inputs/in/`));
      assert.equal(body, 'after restart');
      await sensor.close();
      await again.endAsync();
    } finally {
      await hub.stop();
    }
  });
});

describe('live configuration', () => {
  let hub: TestHub;
  const clients: SdkModuleClient[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await hub.stop();
  });
  const count = async (metric: 'clientDisconnect' | 'clientConnectFailed', labels: Record<string, string>) =>
    (await hub.hub.metrics[metric].get()).values
      .filter((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, string | number>)[k] === l))
      .reduce((n, v) => n + v.value, 0);

  it('applies new routes without dropping connections, refuses a bad file, and revokes removed modules', async () => {
    hub = await TestHub.start(
      manifest(['sensor', 'filter'], {
        r: 'FROM /messages/modules/sensor/* INTO BrokeredEndpoint("/modules/filter/inputs/one")',
      }),
    );
    const sensor = await hub.module('sensor');
    const filter = await hub.module('filter');
    clients.push(sensor, filter);
    const inbox = new Inbox(filter);
    await sleep(200);
    await sensor.sendOutputEvent('out', new Message('before'));
    await inbox.waitFor(1);
    const filterId = `${hub.hub.device.deviceId}/filter`;
    const disconnectsBefore = await count('clientDisconnect', { id: filterId });

    hub.writeConfig(
      manifest(['sensor', 'filter'], {
        r: 'FROM /messages/modules/sensor/* INTO BrokeredEndpoint("/modules/filter/inputs/two")',
      }),
    );
    await sleep(600);
    await sensor.sendOutputEvent('out', new Message('after'));
    await inbox.waitFor(2);
    assert.deepEqual(
      inbox.messages.map((m) => m.input),
      ['one', 'two'],
    );
    assert.equal(
      await count('clientDisconnect', { id: filterId }),
      disconnectsBefore,
      'the route swap dropped no connection',
    );

    hub.writeConfig('{ not json');
    await sleep(600);
    assert.deepEqual(hub.hub.problems(), [], 'a bad file leaves the running configuration in place');
    await sensor.sendOutputEvent('out', new Message('still routed'));
    await inbox.waitFor(3);

    // Revocation is watched on a plain MQTT client: the SDK would retry (and be refused) for four minutes.
    await filter.close();
    const raw = await hub.rawClient('filter');
    const closed = new Promise<void>((r) => raw.once('close', () => r()));
    hub.writeConfig(manifest(['sensor'], { r: 'FROM /messages/modules/sensor/* INTO $upstream' }));
    await closed;
    raw.end(true);
    assert.equal(
      await count('clientDisconnect', { id: filterId }),
      disconnectsBefore + 2,
      'a module removed from the manifest is disconnected',
    );
    await assert.rejects(hub.module('filter'), /not authorized|Unauthorized/i);
    assert.ok((await count('clientConnectFailed', { reason: 'unknown_module' })) >= 1, 'and cannot connect again');
  });
});
