// Scenario 5: store-and-forward backlog. The receiving module connects once (clean = false, subscribed) and
// goes away; the publisher then sends N messages as fast as its window allows (fill); the broker's memory and
// the data folder are measured with all N queued; the module comes back and drains them (drain rate).
// Peers hold the queue in memory (Mosquitto with an unbounded queue, aedes with its in-memory persistence).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LoadProcess } from '../load/load-process.js';
import { scrape } from '../peers/hub-metrics.js';
import { CpuMeter, MachineCpuMeter, memory } from '../proc-stats.js';
import { perSecond } from '../stats.js';
import { sizeCases, type RunContext, type Scenario } from './scenario.js';
import { moduleRoute, outputTopic, receiverFilter } from './topics.js';

const MB = 1 / (1024 * 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

async function receiverSession(ctx: RunContext, filter: string, expect: number | undefined) {
  const p = LoadProcess.acquire('receiver');
  const b = ctx.broker;
  try {
    await p.subscribe({
      connections: [{ endpoint: b.endpoint, connect: b.connectSpec('filter'), filters: [filter] }],
      latency: false,
      ...(expect !== undefined ? { expect } : {}),
      maxMs: 30_000,
    });
  } catch (err) {
    await p.release();
    throw err;
  }
  return p;
}

export const backlog: Scenario = {
  number: 5,
  name: 'backlog',
  title: 'store-and-forward backlog: queued for an offline module, then drained',
  cases: sizeCases,
  freshBrokerPerCase: true,
  deployment: () => ({ modules: ['sensor', 'filter'], routes: { r1: moduleRoute('sensor', 'out', 'filter', 'in') } }),
  primary: 'drain',
  metrics: [
    { key: 'drain', label: 'drain', unit: 'msg/s', higherIsBetter: true },
    { key: 'fill', label: 'fill', unit: 'msg/s', higherIsBetter: true },
    { key: 'rssQueued', label: 'RSS, all queued', unit: 'MB', higherIsBetter: false, scale: MB, digits: 1 },
    { key: 'rssPeak', label: 'peak RSS', unit: 'MB', higherIsBetter: false, scale: MB, digits: 1 },
    {
      key: 'heapQueued',
      label: 'hub JS heap in use, all queued',
      unit: 'MB',
      higherIsBetter: false,
      scale: MB,
      digits: 1,
      diagnostic: true,
    },
    {
      key: 'heapTotalQueued',
      label: 'hub JS heap reserved, all queued',
      unit: 'MB',
      higherIsBetter: false,
      scale: MB,
      digits: 1,
      diagnostic: true,
    },
    { key: 'disk', label: 'data folder, all queued', unit: 'MB', higherIsBetter: false, scale: MB, digits: 1 },
    {
      key: 'otherCpu',
      label: 'other load on the machine while draining',
      unit: 'cores',
      higherIsBetter: false,
      diagnostic: true,
      digits: 2,
    },
  ],
  async run(ctx) {
    const b = ctx.broker;
    const n = ctx.settings.backlogMessages;
    const topic = outputTopic(b, 'sensor', 'out');
    const filter = receiverFilter(b, 'filter', topic);
    const notes: string[] = [];

    const first = await receiverSession(ctx, filter, undefined);
    await first.release();

    const pub = LoadProcess.acquire('publisher');
    let fill: number;
    try {
      const start = await pub.publish({
        endpoint: b.endpoint,
        connect: b.connectSpec('sensor'),
        variants: [{ topic, size: ctx.case.size ?? 200, fields: {} }],
        window: ctx.settings.window,
        limit: n,
        maxMs: 300_000,
      });
      const done = await pub.wait(300_000);
      if (done.timedOut) throw new Error(`only ${done.sample.acked} of ${n} messages accepted within 300 s`);
      fill = perSecond(n, done.sample.lastAtMs - start.atMs);
    } finally {
      await pub.release();
    }
    await sleep(ctx.settings.settleMs);
    const queued = memory(b.pid);
    const disk = b.dataDir ? folderBytes(b.dataDir) : undefined;
    const hub = b.metricsUrl ? await scrape(b.metricsUrl) : undefined;

    // The drain competes with whatever else runs on the machine: measure that, as the traffic scenarios do.
    const brokerMeter = new CpuMeter(b.pid);
    const machine = new MachineCpuMeter();
    brokerMeter.start();
    machine.start();
    const drainer = await receiverSession(ctx, filter, n);
    let drain: number;
    let otherCpu: number | undefined;
    try {
      const s0 = await drainer.mark();
      const done = await drainer.wait(300_000);
      const brokerCpu = brokerMeter.read();
      const machineCpu = machine.read();
      const receiverCpu = (done.sample.cpuMs - s0.cpuMs) / Math.max(1, done.sample.atMs - s0.atMs);
      if (brokerCpu !== undefined && machineCpu !== undefined)
        otherCpu = Math.max(0, machineCpu - brokerCpu - receiverCpu);
      if (done.timedOut) throw new Error(`only ${done.sample.acked} of ${n} queued messages drained within 300 s`);
      if (done.sample.acked > n) notes.push(`${done.sample.acked - n} duplicates`);
      drain = perSecond(n - 1, done.sample.lastAtMs - done.sample.firstAtMs);
      if (drainer.failure) throw new Error(drainer.failure);
    } finally {
      await drainer.release();
    }
    const after = memory(b.pid);
    return {
      values: {
        drain,
        fill,
        rssQueued: queued?.rss,
        rssPeak: after?.peak,
        disk,
        otherCpu,
        heapQueued: hub?.get('nodejs_heap_size_used_bytes'),
        heapTotalQueued: hub?.get('nodejs_heap_size_total_bytes'),
      },
      notes,
    };
  },
};
