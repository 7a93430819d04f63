// Scenario 3: a `$body` condition that drops half. Bodies alternate `"keep":true` and `"keep":false` (JSON,
// content type set, as the condition needs); the route delivers the first kind only. Peers: the kept half goes
// to the subscribed topic, the other half to a topic nobody subscribes to. The ratio is about messages
// accepted (PUBACKed to the publisher) per second; delivered is half of that.
import { CPU_METRICS, HUB_METRICS, sizeCases, type Scenario } from './scenario.js';
import { moduleRoute, outputTopic, receiverFilter } from './topics.js';
import { runTraffic, trafficValues } from './traffic.js';

export const filter: Scenario = {
  number: 3,
  name: 'filter',
  title: '$body condition that drops half',
  cases: sizeCases,
  deployment: () => ({
    modules: ['sensor', 'filter'],
    routes: { r1: moduleRoute('sensor', 'out', 'filter', 'in', '$body.keep = true') },
  }),
  primary: 'accepted',
  metrics: [
    { key: 'accepted', label: 'accepted', unit: 'msg/s', higherIsBetter: true },
    { key: 'delivered', label: 'delivered', unit: 'msg/s', higherIsBetter: true },
    ...CPU_METRICS,
    ...HUB_METRICS,
  ],
  async run(ctx) {
    const b = ctx.broker;
    const keep = outputTopic(b, 'sensor', 'out', true);
    const drop = b.kind === 'edgehub' ? keep : outputTopic(b, 'sensor', 'drop', true);
    const size = ctx.case.size ?? 200;
    const r = await runTraffic(ctx, {
      publisherModule: 'sensor',
      variants: [
        { topic: keep, size, fields: { keep: true } },
        { topic: drop, size, fields: { keep: false } },
      ],
      receivers: [{ moduleId: 'filter', filters: [receiverFilter(b, 'filter', keep)] }],
      measureMs: ctx.settings.measureMs,
    });
    const notes = [...r.notes];
    const share = r.delivered / r.accepted;
    if (Number.isFinite(share) && Math.abs(share - 0.5) > 0.05)
      notes.push(`delivered ${(share * 100).toFixed(0)}%, not 50%`);
    return { values: trafficValues(r), notes };
  },
};
