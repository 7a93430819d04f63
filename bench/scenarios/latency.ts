// Scenario 6: latency at a fixed rate (2,000 msg/s), durable on the hub. Each payload carries the publisher's
// monotonic clock (µs) at the write; the subscriber records receive − send in an HDR histogram. The publisher
// sends on a 1 ms timer, so about two messages leave per tick.
import { HUB_METRICS, MACHINE_SPEED, sizeCases, type Scenario } from './scenario.js';
import { moduleRoute, outputTopic, receiverFilter } from './topics.js';
import { hubValues, runTraffic } from './traffic.js';

export const latency: Scenario = {
  number: 6,
  name: 'latency',
  title: 'latency at a fixed rate, durable',
  cases: sizeCases,
  deployment: () => ({ modules: ['sensor', 'filter'], routes: { r1: moduleRoute('sensor', 'out', 'filter', 'in') } }),
  primary: 'p99',
  metrics: [
    { key: 'p50', label: 'p50', unit: 'ms', higherIsBetter: false, scale: 1 / 1000, digits: 3 },
    { key: 'p99', label: 'p99', unit: 'ms', higherIsBetter: false, scale: 1 / 1000, digits: 3 },
    { key: 'p999', label: 'p99.9', unit: 'ms', higherIsBetter: false, scale: 1 / 1000, digits: 3 },
    { key: 'max', label: 'max', unit: 'ms', higherIsBetter: false, scale: 1 / 1000, digits: 2 },
    { key: 'delivered', label: 'delivered', unit: 'msg/s', higherIsBetter: true },
    {
      key: 'lag',
      label: 'publisher behind schedule, max',
      unit: 'msg',
      higherIsBetter: false,
      diagnostic: true,
      digits: 0,
    },
    { key: 'brokerCpu', label: 'broker CPU', unit: 'cores', higherIsBetter: false, diagnostic: true, digits: 2 },
    {
      key: 'otherCpu',
      label: 'other load on the machine',
      unit: 'cores',
      higherIsBetter: false,
      diagnostic: true,
      digits: 2,
    },
    MACHINE_SPEED,
    ...HUB_METRICS,
  ],
  async run(ctx) {
    const topic = outputTopic(ctx.broker, 'sensor', 'out');
    const r = await runTraffic(ctx, {
      publisherModule: 'sensor',
      variants: [{ topic, size: ctx.case.size ?? 200, fields: {} }],
      receivers: [{ moduleId: 'filter', filters: [receiverFilter(ctx.broker, 'filter', topic)] }],
      ratePerSec: ctx.settings.latencyRate,
      latency: true,
      measureMs: ctx.settings.latencyMeasureMs,
    });
    const l = r.latency;
    return {
      values: {
        p50: l?.p50Us,
        p99: l?.p99Us,
        p999: l?.p999Us,
        max: l?.maxUs,
        delivered: r.delivered,
        lag: r.lag,
        brokerCpu: r.brokerCpu,
        otherCpu: r.otherCpu,
        machineSpeed: r.machineSpeed,
        ...hubValues(r),
      },
      notes: r.notes,
    };
  },
};
