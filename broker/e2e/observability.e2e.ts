// Metrics, health and readiness, driven by real SDK traffic and read with a real exposition-format parser.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { Inbox, manifest, Message, sleep, TestHub } from './harness.js';
import { makeImmutable } from './immutable.js';
import { Scrape } from './scrape.js';

const ROUTES = {
  online: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/filter/inputs/in")',
  offline: 'FROM /messages/modules/sensor/outputs/later INTO BrokeredEndpoint("/modules/late/inputs/in")',
  short: {
    route: 'FROM /messages/modules/sensor/outputs/short INTO BrokeredEndpoint("/modules/late/inputs/brief")',
    priority: 3,
    timeToLiveSecs: 1,
  },
};

describe('metrics', () => {
  let hub: TestHub;
  after(() => hub.stop());

  it('count what was sent, delivered, queued and dropped, by the reference names and labels', async () => {
    hub = await TestHub.start(manifest(['sensor', 'filter', 'late'], ROUTES), { sweepIntervalMs: 200 });
    const port = hub.hub.ports.metrics!;
    const dev = hub.hub.device.deviceId;
    const sensor = await hub.module('sensor');
    const filter = await hub.module('filter');
    const inbox = new Inbox(filter);
    await sleep(200);

    for (let i = 0; i < 10; i++) await sensor.sendOutputEvent('out', new Message(`m${i}`));
    await inbox.waitFor(10);
    for (let i = 0; i < 5; i++) await sensor.sendOutputEvent('later', new Message(`q${i}`));
    await sensor.sendOutputEvent('nowhere', new Message('no route'));
    await sensor.sendOutputEvent('short', new Message('expires'));
    await sleep(100);

    let s = await Scrape.from(port);
    assert.equal(s.value('edgehub_messages_received_total', { id: `${dev}/sensor`, route_output: 'out' }), 10);
    assert.equal(s.value('edgehub_messages_received_total', { id: `${dev}/sensor` }), 17);
    assert.equal(
      s.value('edgehub_messages_sent_total', {
        from: `${dev}/sensor`,
        to: `${dev}/filter`,
        from_route_output: 'out',
        to_route_input: 'in',
        priority: '2000000000',
      }),
      10,
    );
    assert.equal(s.value('edgehub_queue_length', { endpoint: 'filter/in' }), 0);
    assert.equal(
      s.value('edgehub_queue_length', { endpoint: 'late/in', priority: '2000000000' }),
      5,
      'queue rises while the receiver is offline',
    );
    assert.equal(
      s.value('edgehub_messages_dropped_total', {
        reason: 'no_route',
        from: `${dev}/sensor`,
        from_route_output: 'nowhere',
      }),
      1,
    );
    assert.equal(s.count('edgehub_message_size_bytes', { id: `${dev}/sensor` }), 17);
    assert.ok(s.count('edgehub_message_send_duration_seconds', { to: `${dev}/filter` }) === 10);
    assert.ok(s.count('edgehub_message_process_duration_seconds', { to: `${dev}/filter` }) === 10);
    assert.equal(s.value('edgehub_connected_clients'), 2);
    assert.ok(s.count('edgehub_store_commit_batch_size') >= 1);
    assert.ok(s.value('edgehub_store_size_bytes') > 0);
    assert.ok(s.value('process_resident_memory_bytes') > 0, 'prom-client defaults are exported');
    for (const m of s.samples) {
      if (!m.name.startsWith('edgehub_')) continue;
      assert.equal(m.labels.edge_device, dev, `${m.name} carries edge_device`);
      assert.equal(m.labels.iothub, hub.hub.device.iothubHostName, `${m.name} carries iothub`);
      assert.ok(m.labels.instance_number, `${m.name} carries instance_number`);
    }

    // The 1 s TTL passes while `late` is away: the sweep drops it and counts it.
    await sleep(1500);
    s = await Scrape.from(port);
    assert.equal(
      s.value('edgehub_messages_dropped_total', {
        reason: 'ttl_expiry',
        from: `${dev}/sensor`,
        from_route_output: 'short',
      }),
      1,
    );
    assert.equal(s.value('edgehub_queue_length', { endpoint: 'late/brief' }), 0);

    // The receiver connects: the queue falls to zero.
    const late = await hub.module('late');
    const lateInbox = new Inbox(late);
    await lateInbox.waitFor(5);
    await sleep(100);
    s = await Scrape.from(port);
    assert.equal(s.value('edgehub_queue_length', { endpoint: 'late/in' }), 0);
    assert.equal(s.value('edgehub_messages_sent_total', { to: `${dev}/late`, to_route_input: 'in' }), 5);

    // Refused connections, by reason; the id label never takes a client-chosen value.
    await assert.rejects(hub.rawClient('', { clientId: `${dev}/intruder`, password: hub.token('intruder') }));
    await assert.rejects(
      hub.rawClient('', { clientId: `${dev}/sensor`, password: hub.token('sensor', { expiry: 1 }) }),
    );
    s = await Scrape.from(port);
    assert.equal(s.value('edgehub_client_connect_failed_total', { reason: 'unknown_module', id: 'unknown' }), 1);
    assert.equal(s.value('edgehub_client_connect_failed_total', { reason: 'expired', id: `${dev}/sensor` }), 1);
    assert.ok(!JSON.stringify(s.samples).includes('intruder'), 'no label holds the refused client id');

    await Promise.all([sensor.close(), filter.close(), late.close()]);
    await sleep(200);
    s = await Scrape.from(port);
    assert.equal(s.value('edgehub_connected_clients'), 0);
    assert.ok(s.value('edgehub_client_disconnect_total', { id: `${dev}/filter` }) >= 1);
  });
});

describe('health and readiness', () => {
  const hubs: TestHub[] = [];
  after(async () => {
    for (const h of hubs) await h.stop();
  });
  const get = async (hub: TestHub, path: string) => {
    const res = await fetch(`http://127.0.0.1:${hub.hub.ports.metrics}${path}`);
    return { status: res.status, text: await res.text() };
  };

  it('is ready with a valid configuration, and not while the configuration at start is invalid', async () => {
    const hub = await TestHub.start({
      modulesContent: { $edgeHub: { 'properties.desired': { schemaVersion: '9.9', routes: {} } } },
    });
    hubs.push(hub);
    assert.equal((await get(hub, '/healthz')).status, 200);
    const notReady = await get(hub, '/readyz');
    assert.equal(notReady.status, 503);
    assert.match(notReady.text, /no valid configuration loaded/);
    // Modules are told to come back later (CONNACK 3), not refused for good.
    await assert.rejects(hub.rawClient('sensor'), (e: { code?: number }) => e.code === 3);
    hub.writeConfig(manifest(['sensor'], { r: 'FROM /* INTO $upstream' }));
    await sleep(500);
    assert.equal((await get(hub, '/readyz')).status, 200);
    (await hub.rawClient('sensor')).end(true);
  });

  it('is not ready while the store is not writable, and ready again after', async (t: TestContext) => {
    const hub = await TestHub.start(manifest(['sensor'], { r: 'FROM /* INTO $upstream' }));
    hubs.push(hub);
    assert.equal((await get(hub, '/readyz')).status, 200);
    const files = ['store.db', 'store.db-wal'].map((f) => join(hub.dir, f)).filter((f) => existsSync(f));
    const undo = makeImmutable(t, files, 'cannot make the store unwritable');
    if (!undo) return;
    try {
      const r = await get(hub, '/readyz');
      assert.equal(r.status, 503);
      assert.match(r.text, /store not writable/);
    } finally {
      undo();
    }
    assert.equal((await get(hub, '/readyz')).status, 200);
  });

  it('answers unknown paths with 404 and a hint', async () => {
    const hub = hubs[0]!;
    const r = await get(hub, '/nope');
    assert.equal(r.status, 404);
    assert.match(r.text, /\/metrics/);
  });
});
