// Scenario 4: AMQP module → module. The hub has no AMQP head yet, and neither peer speaks AMQP, so there is
// nothing to measure in the same run; the table says so.
import { sizeCases, type Scenario } from './scenario.js';

export const amqp: Scenario = {
  number: 4,
  name: 'amqp',
  title: 'AMQP module → module',
  cases: sizeCases,
  deployment: () => ({ modules: [], routes: {} }),
  primary: 'delivered',
  metrics: [{ key: 'delivered', label: 'delivered', unit: 'msg/s', higherIsBetter: true }],
  unavailable: 'n/a: hub has no AMQP head yet',
  run: () => Promise.reject(new Error('the hub has no AMQP head yet')),
};
