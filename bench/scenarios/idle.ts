// Scenario 7: many idle connected modules. One module connects first (clean = false) and subscribes to its
// inputs, and the broker's resident memory is read once it settles; then the other N − 1 connect and subscribe,
// and it is read again once it settled: memory per connection = RSS delta / (N − 1). The first connection
// keeps what a broker builds once, on its first client (mqtt-packet's 6 MB cache of packet ids, compiled
// code), out of the per-connection figure. Plain MQTT on every broker; the hub also over TLS, as SDK modules
// connect (a separate start, so that freed memory of the first batch does not hide the second).
import { LoadProcess } from '../load/load-process.js';
import { scrape } from '../peers/hub-metrics.js';
import { memory } from '../proc-stats.js';
import { perSecond } from '../stats.js';
import type { Scenario, Settings } from './scenario.js';
import { inputsFilter } from './topics.js';

const KB = 1 / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function moduleIds(s: Settings): string[] {
  return Array.from({ length: s.idleConnections }, (_, i) => `idle${String(i + 1).padStart(4, '0')}`);
}

export const idle: Scenario = {
  number: 7,
  name: 'idle',
  title: 'idle connected modules: memory per connection',
  cases: () => [{ label: 'plain' }, { label: 'TLS', tls: true, brokers: ['edgehub'] }],
  freshBrokerPerCase: true,
  deployment: (s) => ({ modules: moduleIds(s), routes: {} }),
  primary: 'perConnection',
  metrics: [
    { key: 'perConnection', label: 'memory per connection', unit: 'KB', higherIsBetter: false, scale: KB, digits: 1 },
    {
      key: 'rssBefore',
      label: 'RSS before',
      unit: 'MB',
      higherIsBetter: false,
      diagnostic: true,
      scale: KB * KB,
      digits: 1,
    },
    {
      key: 'rssAfter',
      label: 'RSS with all connected',
      unit: 'MB',
      higherIsBetter: false,
      diagnostic: true,
      scale: KB * KB,
      digits: 1,
    },
    {
      key: 'heapPerConnection',
      label: 'hub JS heap per connection',
      unit: 'KB',
      higherIsBetter: false,
      diagnostic: true,
      scale: KB,
      digits: 1,
    },
    {
      key: 'externalPerConnection',
      label: 'hub external (buffers) per connection',
      unit: 'KB',
      higherIsBetter: false,
      diagnostic: true,
      scale: KB,
      digits: 1,
    },
    { key: 'connectRate', label: 'connect + subscribe', unit: 'conn/s', higherIsBetter: true },
  ],
  async run(ctx) {
    const b = ctx.broker;
    const s = ctx.settings;
    const endpoint = ctx.case.tls ? b.tlsEndpoint : b.endpoint;
    if (!endpoint) throw new Error(`${b.kind} has no TLS listener in this suite`);
    const [firstId, ...ids] = moduleIds(s);
    const first = LoadProcess.acquire('idle-first');
    const p = LoadProcess.acquire('idle');
    try {
      await first.idle({
        endpoint,
        connections: [{ connect: b.connectSpec(firstId!), filters: [inputsFilter(b, firstId!)] }],
        concurrency: 1,
        maxMs: 30_000,
      });
      await sleep(s.settleMs);
      const before = memory(b.pid);
      const hubBefore = b.metricsUrl ? await scrape(b.metricsUrl) : undefined;
      const ready = await p.idle({
        endpoint,
        connections: ids.map((m) => ({ connect: b.connectSpec(m), filters: [inputsFilter(b, m)] })),
        concurrency: s.idleConcurrency,
        maxMs: 120_000,
      });
      await sleep(s.settleMs);
      const after = memory(b.pid);
      const hubAfter = b.metricsUrl ? await scrape(b.metricsUrl) : undefined;
      const perConn = (key: string) => {
        const x = hubBefore?.get(key);
        const y = hubAfter?.get(key);
        return x === undefined || y === undefined ? undefined : (y - x) / ids.length;
      };
      if (first.failure) throw new Error(first.failure);
      if (p.failure) throw new Error(p.failure);
      const still = await p.mark();
      if (still.acked !== ids.length) throw new Error(`${ids.length - still.acked} connections were lost`);
      const perConnection = before && after ? (after.rss - before.rss) / ids.length : undefined;
      return {
        values: {
          perConnection,
          rssBefore: before?.rss,
          rssAfter: after?.rss,
          heapPerConnection: perConn('nodejs_heap_size_used_bytes'),
          externalPerConnection: perConn('nodejs_external_memory_bytes'),
          connectRate: perSecond(ids.length - 1, ready.lastAtMs - ready.firstAtMs),
        },
        notes: [],
      };
    } finally {
      await Promise.all([first.release(), p.release()]);
    }
  },
};
