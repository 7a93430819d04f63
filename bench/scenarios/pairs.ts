// Scenario 9: many modules at once. N sending modules, each routed to its own receiving module (N routes,
// 2N connections), 200 B. The offered load stays the same (the settings' window is shared by the senders), so
// the figure shows what the number of connections, queues and dispatchers costs; the target compares 100
// pairs with 10. The peers run it too (sender i's topic, subscribed by receiver i): with one message in
// flight per sender at 100 pairs every message is its own read and write, and the peers show what that shape
// costs a broker without a store.
import type { Deployment } from '../peers/broker.js';
import { CPU_METRICS, HUB_METRICS, type Case, type Scenario } from './scenario.js';
import { moduleRoute, outputTopic, receiverFilter } from './topics.js';
import { runTraffic, trafficValues } from './traffic.js';

const SIZE = 200;

const senderOf = (i: number) => `s${i}`;
const receiverOf = (i: number) => `r${i}`;

export function pairsDeployment(count: number): Deployment {
  const ids = Array.from({ length: count }, (_, i) => i);
  return {
    modules: ids.flatMap((i) => [senderOf(i), receiverOf(i)]),
    routes: Object.fromEntries(ids.map((i) => [`p${i}`, moduleRoute(senderOf(i), 'out', receiverOf(i), 'in')])),
  };
}

// The third case keeps each sender as busy as in the 10-pair case (10 in flight each, 1,000 in all): what
// 100 modules cost when each of them still batches. The target reads the first two.
const cases = (): Case[] => [
  { label: '10 pairs', size: SIZE, count: 10 },
  { label: '100 pairs', size: SIZE, count: 100 },
  { label: '100 pairs, 10 in flight each', size: SIZE, count: 100, senderWindow: 10 },
];

export const pairs: Scenario = {
  number: 9,
  name: 'pairs',
  title: 'many modules: 10 sender → receiver pairs against 100 (200 B, same offered load)',
  cases,
  freshBrokerPerCase: true,
  deployment: (_settings, c) => pairsDeployment(c?.count ?? 10),
  primary: 'delivered',
  metrics: [
    { key: 'delivered', label: 'delivered, all pairs', unit: 'msg/s', higherIsBetter: true },
    ...CPU_METRICS,
    ...HUB_METRICS,
  ],
  async run(ctx) {
    const b = ctx.broker;
    const ids = Array.from({ length: ctx.case.count ?? 10 }, (_, i) => i);
    const r = await runTraffic(ctx, {
      publisherModule: senderOf(0),
      variants: [],
      senders: ids.map((i) => ({
        moduleId: senderOf(i),
        variants: [{ topic: outputTopic(b, senderOf(i), 'out'), size: SIZE, fields: {} }],
      })),
      receivers: ids.map((i) => ({
        moduleId: receiverOf(i),
        filters: [receiverFilter(b, receiverOf(i), outputTopic(b, senderOf(i), 'out'))],
      })),
      ...(ctx.case.senderWindow !== undefined ? { senderWindow: ctx.case.senderWindow } : {}),
      measureMs: ctx.settings.measureMs,
    });
    return { values: trafficValues(r), notes: r.notes };
  },
};
