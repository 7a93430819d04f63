// Label values that clients choose (output names) are bounded in number, length and total, so /metrics stays
// small whatever modules send, and what was folded is counted.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Inbox, manifest, sleep, TestHub } from './harness.js';
import { Scrape } from './scrape.js';

describe('metric labels from client input', () => {
  let hub: TestHub;
  after(() => hub.stop());

  it('keep /metrics small with 200 output names of 50 kB, and count what was folded', async () => {
    hub = await TestHub.start(
      manifest(['sensor', 'filter'], {
        all: 'FROM /messages/modules/sensor/outputs/* INTO BrokeredEndpoint("/modules/filter/inputs/in")',
      }),
    );
    const dev = hub.hub.device.deviceId;
    const filter = await hub.module('filter');
    const inbox = new Inbox(filter);
    await sleep(200);
    const sensor = await hub.rawClient('sensor');
    const names = Array.from({ length: 200 }, (_, i) => `${i}-`.padEnd(50_000, 'x'));
    for (const name of names) {
      await sensor.publishAsync(`devices/${dev}/modules/sensor/messages/events/%24.on=${name}/`, 'm', { qos: 1 });
    }
    await sensor.publishAsync(`devices/${dev}/modules/sensor/messages/events/%24.on=short/`, 'm', { qos: 1 });
    await inbox.waitFor(201);
    // The hub counts a delivery when the PUBACK comes back, just after the SDK handed the message over.
    const sent = { from: `${dev}/sensor`, from_route_output: '_other', to_route_input: 'in' };
    for (
      let i = 0;
      i < 50 && (await Scrape.from(hub.hub.ports.metrics!)).value('edgehub_messages_sent_total', sent) < 200;
      i++
    )
      await sleep(100);

    const res = await fetch(`http://127.0.0.1:${hub.hub.ports.metrics}/metrics`);
    const text = await res.text();
    console.log(`/metrics after 200 output names of 50 kB: ${text.length} bytes`);
    assert.ok(text.length < 256 * 1024, `/metrics is ${text.length} bytes`);
    assert.ok(!text.includes('x'.repeat(200)), 'no label holds a long output name');

    const s = await Scrape.from(hub.hub.ports.metrics!);
    assert.equal(s.value('edgehub_messages_received_total', { id: `${dev}/sensor`, route_output: 'short' }), 1);
    assert.equal(s.value('edgehub_messages_received_total', { id: `${dev}/sensor`, route_output: '_other' }), 200);
    assert.equal(
      s.value('edgehub_messages_sent_total', {
        from: `${dev}/sensor`,
        from_route_output: '_other',
        to_route_input: 'in',
      }),
      200,
    );
    assert.equal(s.value('edgehub_label_values_folded_total', { label: 'route_output', reason: 'too_long' }), 200);
    await Promise.all([filter.close(), sensor.endAsync()]);
  });
});
