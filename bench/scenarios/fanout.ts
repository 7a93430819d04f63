// Scenario 2: fan-out. One output routed to the inputs of four modules (four receiving connections); peers:
// four subscribers on the publisher's topic. Throughput counts deliveries (4 per message).
import { CPU_METRICS, HUB_METRICS, sizeCases, type Scenario } from './scenario.js';
import { moduleRoute, outputTopic, receiverFilter } from './topics.js';
import { runTraffic, trafficValues } from './traffic.js';

const SINKS = ['sink1', 'sink2', 'sink3', 'sink4'];

export const fanout: Scenario = {
  number: 2,
  name: 'fanout',
  title: 'fan-out: one output routed to four inputs',
  cases: sizeCases,
  deployment: () => ({
    modules: ['sensor', ...SINKS],
    routes: Object.fromEntries(SINKS.map((m, i) => [`r${i + 1}`, moduleRoute('sensor', 'out', m, 'in')])),
  }),
  primary: 'delivered',
  metrics: [
    { key: 'delivered', label: 'deliveries', unit: 'msg/s', higherIsBetter: true },
    { key: 'accepted', label: 'published', unit: 'msg/s', higherIsBetter: true },
    ...CPU_METRICS,
    ...HUB_METRICS,
  ],
  async run(ctx) {
    const topic = outputTopic(ctx.broker, 'sensor', 'out');
    const r = await runTraffic(ctx, {
      publisherModule: 'sensor',
      variants: [{ topic, size: ctx.case.size ?? 200, fields: {} }],
      receivers: SINKS.map((m) => ({ moduleId: m, filters: [receiverFilter(ctx.broker, m, topic)] })),
      measureMs: ctx.settings.measureMs,
    });
    return { values: trafficValues(r), notes: r.notes };
  },
};
