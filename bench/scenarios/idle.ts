// Scenario 7: many idle connected modules. One module connects first (clean = false) and subscribes to its
// inputs; then half of the other N − 1 connect and subscribe, and the broker's resident memory is read once
// it settles; then the second half, and it is read again: memory per connection = RSS delta of the second
// half / its size, the marginal cost of one more idle module. The first connection keeps what a broker builds
// once, on its first client (mqtt-packet's 6 MB cache of packet ids, compiled code), out of it; the first half
// keeps out what grows once under a burst of allocation: V8's young generation grows from 1 to 16 MiB
// semi-spaces during the first few hundred CONNECTs (the hub's RSS delta over 1,000 TLS connections was 61.8
// KB each by default and 45.8 KB with --max-semi-space-size=1; over 2,000, 50.1 KB: a fixed ~20 MB, not a
// per-connection cost; see bench/README.md). The delta over all N − 1 stays in the table as a diagnostic row.
// Plain MQTT on every broker; the hub also over TLS, as SDK modules connect (a separate start, so that freed
// memory of the first batch does not hide the second).
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
      key: 'perConnectionAll',
      label: 'RSS delta over all connections, each',
      unit: 'KB',
      higherIsBetter: false,
      diagnostic: true,
      scale: KB,
      digits: 1,
    },
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
    { key: 'connectRate', label: 'connect + subscribe (second half)', unit: 'conn/s', higherIsBetter: true },
  ],
  async run(ctx) {
    const b = ctx.broker;
    const s = ctx.settings;
    const endpoint = ctx.case.tls ? b.tlsEndpoint : b.endpoint;
    if (!endpoint) throw new Error(`${b.kind} has no TLS listener in this suite`);
    const [firstId, ...ids] = moduleIds(s);
    const firstHalf = ids.slice(0, Math.floor(ids.length / 2));
    const secondHalf = ids.slice(firstHalf.length);
    const spec = (list: readonly string[]) =>
      list.map((m) => ({ connect: b.connectSpec(m), filters: [inputsFilter(b, m)] }));
    const first = LoadProcess.acquire('idle-first');
    const p1 = LoadProcess.acquire('idle-1');
    const p2 = LoadProcess.acquire('idle-2');
    try {
      await first.idle({ endpoint, connections: spec([firstId!]), concurrency: 1, maxMs: 30_000 });
      await sleep(s.settleMs);
      const before = memory(b.pid);
      await p1.idle({ endpoint, connections: spec(firstHalf), concurrency: s.idleConcurrency, maxMs: 120_000 });
      await sleep(s.settleMs);
      const mid = memory(b.pid);
      const hubMid = b.metricsUrl ? await scrape(b.metricsUrl) : undefined;
      const ready = await p2.idle({
        endpoint,
        connections: spec(secondHalf),
        concurrency: s.idleConcurrency,
        maxMs: 120_000,
      });
      await sleep(s.settleMs);
      const after = memory(b.pid);
      const hubAfter = b.metricsUrl ? await scrape(b.metricsUrl) : undefined;
      const perConn = (key: string) => {
        const x = hubMid?.get(key);
        const y = hubAfter?.get(key);
        return x === undefined || y === undefined ? undefined : (y - x) / secondHalf.length;
      };
      for (const lp of [first, p1, p2]) if (lp.failure) throw new Error(lp.failure);
      for (const [lp, n] of [
        [p1, firstHalf.length],
        [p2, secondHalf.length],
      ] as const) {
        const still = await lp.mark();
        if (still.acked !== n) throw new Error(`${n - still.acked} connections were lost`);
      }
      return {
        values: {
          perConnection: mid && after ? (after.rss - mid.rss) / secondHalf.length : undefined,
          perConnectionAll: before && after ? (after.rss - before.rss) / ids.length : undefined,
          rssBefore: before?.rss,
          rssAfter: after?.rss,
          heapPerConnection: perConn('nodejs_heap_size_used_bytes'),
          externalPerConnection: perConn('nodejs_external_memory_bytes'),
          connectRate: perSecond(secondHalf.length - 1, ready.lastAtMs - ready.firstAtMs),
        },
        notes: [],
      };
    } finally {
      await Promise.all([first.release(), p1.release(), p2.release()]);
    }
  },
};
