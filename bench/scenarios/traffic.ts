// One run of publisher → broker → subscriber(s): start the subscriber process, then the publisher process,
// let the traffic warm up, take counters at both ends of the measured window and stop both processes.
// Rates are computed on each process's own clock; CPU is measured for the broker and both clients.
import { LoadProcess } from '../load/load-process.js';
import type { Latency, Sample, Variant } from '../load/protocol.js';
import { HubMetricsWindow, type HubWindow } from '../peers/hub-metrics.js';
import { CpuMeter, MachineCpuMeter } from '../proc-stats.js';
import { SpeedProbe } from '../speed-probe.js';
import { isCpuBound, perSecond } from '../stats.js';
import type { RunContext } from './scenario.js';

export interface Traffic {
  readonly publisherModule: string;
  readonly variants: readonly Variant[];
  /**
   * Many sending modules at once (one connection each, all in one load process), sharing the window: the
   * settings' window is split evenly among them, so the load offered stays the same whatever their number.
   * `publisherModule` and `variants` are ignored when this is given.
   */
  readonly senders?: readonly { readonly moduleId: string; readonly variants: readonly Variant[] }[];
  /** Each sender's own window instead of a share of the settings' window (more load with more senders). */
  readonly senderWindow?: number;
  readonly receivers: readonly { readonly moduleId: string; readonly filters: readonly string[] }[];
  /** Paced publishing (messages/s); as fast as the window allows when absent. */
  readonly ratePerSec?: number;
  readonly latency?: boolean;
  readonly measureMs: number;
}

export interface TrafficResult {
  /** Messages received (and acknowledged) by the subscribers per second, over all of them. */
  readonly delivered: number;
  /** Messages acknowledged to the publisher per second. */
  readonly accepted: number;
  readonly brokerCpu: number | undefined;
  readonly publisherCpu: number;
  readonly subscriberCpu: number;
  /** CPU used on the machine by anything but the broker and the two clients (cores). */
  readonly otherCpu: number | undefined;
  /** The machine's own speed during the window (bench/speed-probe.ts: fixed work per CPU ms). */
  readonly machineSpeed: number | undefined;
  readonly latency: Latency | undefined;
  readonly lag: number | undefined;
  /** Messages per write of the publisher, and per PUBACK write of the subscriber (how well both batch). */
  readonly publisherBatch: number;
  readonly subscriberBatch: number;
  /** The hub's own view of the window (event-loop delay, GC, group commits); undefined for peers. */
  readonly hub: HubWindow | undefined;
  readonly notes: string[];
}

function cores(a: Sample, b: Sample): number {
  return (b.cpuMs - a.cpuMs) / (b.atMs - a.atMs);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTraffic(ctx: RunContext, t: Traffic): Promise<TrafficResult> {
  const b = ctx.broker;
  const s = ctx.settings;
  const sub = LoadProcess.acquire('subscriber');
  const pub = LoadProcess.acquire('publisher');
  const runMs = s.warmupMs + t.measureMs + 30_000;
  try {
    await sub.subscribe({
      connections: t.receivers.map((r) => ({
        endpoint: b.endpoint,
        connect: b.connectSpec(r.moduleId),
        filters: r.filters,
      })),
      latency: t.latency ?? false,
      maxMs: 30_000,
    });
    if (t.senders) {
      const window = t.senderWindow ?? Math.max(1, Math.floor(s.window / t.senders.length));
      await pub.publishMany(
        t.senders.map((x) => ({
          endpoint: b.endpoint,
          connect: b.connectSpec(x.moduleId),
          variants: x.variants,
          window,
          maxMs: runMs,
        })),
        runMs,
      );
    } else {
      await pub.publish({
        endpoint: b.endpoint,
        connect: b.connectSpec(t.publisherModule),
        variants: t.variants,
        window: s.window,
        ...(t.ratePerSec !== undefined ? { ratePerSec: t.ratePerSec } : {}),
        maxMs: runMs,
      });
    }
    await sleep(s.warmupMs);
    const meter = new CpuMeter(b.pid);
    const machine = new MachineCpuMeter();
    const speed = new SpeedProbe();
    const hubWindow = new HubMetricsWindow(b.metricsUrl);
    await hubWindow.start();
    meter.start();
    machine.start();
    speed.start();
    const [p0, s0] = await Promise.all([pub.mark(true), sub.mark(true)]);
    await sleep(t.measureMs);
    const [p1, s1] = await Promise.all([pub.mark(), sub.mark()]);
    const brokerCpu = meter.read();
    const machineCpu = machine.read();
    const machineSpeed = speed.stop();
    const hub = await hubWindow.end();
    const failure = pub.failure ?? sub.failure;
    if (failure) throw new Error(failure);
    const publisherCpu = cores(p0, p1);
    const subscriberCpu = cores(s0, s1);
    const result: TrafficResult = {
      delivered: perSecond(s1.acked - s0.acked, s1.atMs - s0.atMs),
      accepted: perSecond(p1.acked - p0.acked, p1.atMs - p0.atMs),
      brokerCpu,
      publisherCpu,
      subscriberCpu,
      otherCpu:
        machineCpu === undefined || brokerCpu === undefined
          ? undefined
          : Math.max(0, machineCpu - brokerCpu - publisherCpu - subscriberCpu),
      machineSpeed,
      latency: s1.latency,
      lag: p1.maxLag,
      publisherBatch: (p1.sent - p0.sent) / Math.max(1, p1.writes - p0.writes),
      subscriberBatch: (s1.acked - s0.acked) / Math.max(1, s1.writes - s0.writes),
      hub,
      notes: [],
    };
    if (isCpuBound(result.publisherCpu)) result.notes.push('publisher CPU-bound');
    if (isCpuBound(result.subscriberCpu)) result.notes.push('subscriber CPU-bound');
    if ((result.lag ?? 0) > s.window / 2) result.notes.push('the publisher fell behind its rate');
    if ((result.otherCpu ?? 0) > s.maxOtherLoad)
      result.notes.push(`other load on the machine above ${s.maxOtherLoad} cores`);
    if (s1.acked === s0.acked) result.notes.push('no message delivered in the measured window');
    return result;
  } finally {
    await Promise.all([pub.release(), sub.release()]);
  }
}

export const trafficValues = (r: TrafficResult) => ({
  delivered: r.delivered,
  accepted: r.accepted,
  brokerCpu: r.brokerCpu,
  publisherCpu: r.publisherCpu,
  subscriberCpu: r.subscriberCpu,
  otherCpu: r.otherCpu,
  machineSpeed: r.machineSpeed,
  publisherBatch: r.publisherBatch,
  subscriberBatch: r.subscriberBatch,
  ...hubValues(r),
});

/** The hub's view of the window as scenario values (absent for peers). */
export const hubValues = (r: TrafficResult) => ({
  loopDelayP99: r.hub?.loopDelayP99Ms,
  loopDelayMax: r.hub?.loopDelayMaxMs,
  gcMsPerSec: r.hub?.gcMsPerSec,
  commitBatch: r.hub?.commitBatch,
  slowCommits: r.hub?.slowCommits,
});
