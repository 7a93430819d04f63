// Scenario 4: module → route → module over AMQP 1.0 (plain port), durable on the hub (`accepted` after the store
// commit), the same route as scenario 1. Neither peer speaks AMQP, so the hub runs alone and the figures sit next
// to its MQTT figures of the same run. The load is one process (bench/load/amqp-load.ts) holding both the
// publishing and the receiving connection, with `window` messages unsettled; latency is measured under that load.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AmqpLoadResult, AmqpLoadSpec } from '../load/amqp-load.js';
import { CpuMeter } from '../proc-stats.js';
import { sizeCases, type Scenario } from './scenario.js';
import { moduleRoute } from './topics.js';

const LOAD = fileURLToPath(new URL('../load/amqp-load.ts', import.meta.url));

function runLoad(spec: AmqpLoadSpec): Promise<AmqpLoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as AmqpLoadResult);
      else reject(new Error(`the AMQP load exited with ${code}: ${err.trim() || out.trim()}`));
    });
  });
}

export const amqp: Scenario = {
  number: 4,
  name: 'amqp',
  title: 'module → route → module, AMQP, durable',
  cases: (settings) => sizeCases(settings).map((c) => ({ ...c, brokers: ['edgehub'] })),
  deployment: () => ({ modules: ['sensor', 'filter'], routes: { r1: moduleRoute('sensor', 'out', 'filter', 'in') } }),
  primary: 'delivered',
  metrics: [
    { key: 'delivered', label: 'delivered', unit: 'msg/s', higherIsBetter: true },
    { key: 'latencyP50', label: 'latency p50 under full load', unit: 'ms', higherIsBetter: false, digits: 1 },
    { key: 'latencyP99', label: 'latency p99 under full load', unit: 'ms', higherIsBetter: false, digits: 1 },
    { key: 'brokerCpu', label: 'broker CPU', unit: 'cores', higherIsBetter: false, diagnostic: true, digits: 2 },
    { key: 'loadCpu', label: 'load process CPU', unit: 'cores', higherIsBetter: false, diagnostic: true, digits: 2 },
  ],
  async run(ctx) {
    const b = ctx.broker;
    if (!b.amqpEndpoint || !b.amqpCredentials) throw new Error(`${b.kind} has no AMQP listener`);
    const d = b.deviceId;
    const meter = new CpuMeter(b.pid);
    const s = ctx.settings;
    const started = runLoad({
      host: b.amqpEndpoint.host,
      port: b.amqpEndpoint.port,
      sender: { address: `/devices/${d}/modules/sensor/messages/events`, ...b.amqpCredentials('sensor') },
      receiver: { address: `/devices/${d}/modules/filter/messages/events`, ...b.amqpCredentials('filter') },
      output: 'out',
      size: ctx.case.size ?? 200,
      window: s.window,
      warmupMs: s.warmupMs,
      measureMs: s.measureMs,
    });
    // The broker's CPU over (about) the measured window: from the end of the warm-up.
    await new Promise((r) => setTimeout(r, s.warmupMs + 500));
    meter.start();
    const r = await started;
    const brokerCpu = meter.read();
    const notes = r.cpuCores > 0.9 ? ['load process CPU-bound'] : [];
    return {
      values: {
        delivered: r.delivered,
        latencyP50: r.latencyP50Ms,
        latencyP99: r.latencyP99Ms,
        brokerCpu,
        loadCpu: r.cpuCores,
      },
      notes,
    };
  },
};
