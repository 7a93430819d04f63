// Scenario 1: module → route → module over MQTT QoS 1, durable on the hub (PUBACK after the store commit).
// Peers: the same publisher and subscriber on one plain topic.
import { CPU_METRICS, HUB_METRICS, sizeCases, type Outcome, type RunContext, type Scenario } from './scenario.js';
import { moduleRoute, outputTopic, receiverFilter } from './topics.js';
import { runTraffic, trafficValues } from './traffic.js';

export const route: Scenario = {
  number: 1,
  name: 'route',
  title: 'module → route → module, MQTT QoS 1, durable',
  cases: sizeCases,
  deployment: () => ({ modules: ['sensor', 'filter'], routes: { r1: moduleRoute('sensor', 'out', 'filter', 'in') } }),
  primary: 'delivered',
  metrics: [
    { key: 'delivered', label: 'delivered', unit: 'msg/s', higherIsBetter: true },
    ...CPU_METRICS,
    ...HUB_METRICS,
  ],
  run: sensorToFilter,
};

/** sensor's output `out` → filter's input (the hub's route r1; a plain topic on the peers), as fast as it goes. */
export async function sensorToFilter(ctx: RunContext): Promise<Outcome> {
  const topic = outputTopic(ctx.broker, 'sensor', 'out');
  const r = await runTraffic(ctx, {
    publisherModule: 'sensor',
    variants: [{ topic, size: ctx.case.size ?? 200, fields: {} }],
    receivers: [{ moduleId: 'filter', filters: [receiverFilter(ctx.broker, 'filter', topic)] }],
    measureMs: ctx.settings.measureMs,
  });
  return { values: trafficValues(r), notes: r.notes };
}
