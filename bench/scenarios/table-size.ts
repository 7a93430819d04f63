// Scenario 8: the size of the route table. The route scenario's module → route → module traffic with 1 route,
// then with 500 routes in the table, the hub only (peers have no routes). Of the 499 extra routes, 450 read
// the outputs of 90 other modules (the index by module and output skips them, as it skips most routes of a
// real device) and 49 read the sender's own outputs with a condition that is false for its messages (they
// are candidates: their compiled predicates run for every message). The target compares the two cases.
import type { Deployment } from '../peers/broker.js';
import { CPU_METRICS, HUB_METRICS, type Case, type Scenario } from './scenario.js';
import { sensorToFilter } from './route.js';
import { moduleRoute } from './topics.js';

const SIZE = 200;
const OTHER_MODULES = 90;
const OUTPUTS_PER_MODULE = 5;
const CANDIDATES = 49;

/** `count` routes: the one the traffic takes, then routes that never take it. */
export function tableDeployment(count: number): Deployment {
  const routes: Record<string, string> = { r0: moduleRoute('sensor', 'out', 'filter', 'in') };
  const modules = new Set(['sensor', 'filter']);
  let n = 1;
  for (let i = 0; i < CANDIDATES && n < count; i++, n++)
    routes[`own${i}`] =
      `FROM /messages/modules/sensor/* WHERE kind = 'k${i}' INTO BrokeredEndpoint("/modules/filter/inputs/own${i}")`;
  for (let m = 0; m < OTHER_MODULES && n < count; m++) {
    modules.add(`m${m}`);
    for (let o = 0; o < OUTPUTS_PER_MODULE && n < count; o++, n++)
      routes[`m${m}o${o}`] = moduleRoute(`m${m}`, `out${o}`, 'filter', `m${m}o${o}`);
  }
  return { modules: [...modules], routes };
}

const cases = (): Case[] =>
  [1, 500].map((count) => ({
    label: count === 1 ? '1 route' : `${count} routes`,
    size: SIZE,
    count,
    brokers: ['edgehub'],
  }));

export const tableSize: Scenario = {
  number: 8,
  name: 'routes',
  title: 'route table size: 1 route against 500 (200 B, the hub only)',
  cases,
  freshBrokerPerCase: true,
  deployment: (_settings, c) => tableDeployment(c?.count ?? 1),
  primary: 'delivered',
  metrics: [
    { key: 'delivered', label: 'delivered', unit: 'msg/s', higherIsBetter: true },
    ...CPU_METRICS,
    ...HUB_METRICS,
  ],
  run: sensorToFilter, // the route scenario's traffic; only the table differs
};
