// What a scenario is: a deployment for the hub, a function that drives one broker once and returns named
// values, and a description of those values (unit, which way is better, which one the ratios are about).
import type { Broker, BrokerKind, Deployment } from '../peers/broker.js';

export interface Settings {
  readonly mode: 'quick' | 'full';
  readonly repetitions: number;
  /** Traffic before the measured window (ms). */
  readonly warmupMs: number;
  /** The measured window of throughput scenarios (ms). */
  readonly measureMs: number;
  /** The measured window of the latency scenario (ms). */
  readonly latencyMeasureMs: number;
  /** QoS 1 messages in flight per publisher. */
  readonly window: number;
  /** Payload sizes (bytes). */
  readonly sizes: readonly number[];
  /** The fixed rate of the latency scenario (messages/s). */
  readonly latencyRate: number;
  /** Messages queued for an offline module in the backlog scenario. */
  readonly backlogMessages: number;
  /** Connections of the idle scenario. */
  readonly idleConnections: number;
  /** CONNECTs outstanding at once in the idle scenario. */
  readonly idleConcurrency: number;
  /** Settling time before memory is read (ms). */
  readonly settleMs: number;
  /** How the hub runs: `source` (bin/edgehub.js through tsx) or `compiled` (tsc output, as the image). */
  readonly hub: 'source' | 'compiled';
  /** The node flags the hub ran with (cli/node-flags.ts, as `npm start` and the image pass them); absent before 2026-12-08. */
  readonly hubNodeFlags?: readonly string[];
  /**
   * Ratios and targets leave out repetitions run with more than this much other load on the machine (cores
   * used by anything but the broker and its load processes).
   */
  readonly maxOtherLoad: number;
}

export type Values = Record<string, number | undefined>;

export interface Outcome {
  readonly values: Values;
  /** Anything worth reading next to the numbers (a client that was CPU-bound, a lag). */
  readonly notes: readonly string[];
}

/** One variant of a scenario: a payload size, or for the idle scenario a transport. */
export interface Case {
  readonly label: string;
  readonly size?: number;
  readonly tls?: boolean;
  /** The brokers this case runs on (default: all). */
  readonly brokers?: readonly BrokerKind[];
  /** How many of the thing the scenario scales: routes in the table, module pairs. */
  readonly count?: number;
  /** Messages in flight per sending module, instead of a share of the settings' window. */
  readonly senderWindow?: number;
}

export interface RunContext {
  readonly broker: Broker;
  readonly settings: Settings;
  readonly case: Case;
}

/** One case per payload size, labelled `200 B`, `4 KB`. */
export function sizeCases(settings: Settings): Case[] {
  return settings.sizes.map((size) => ({ label: sizeLabel(size), size }));
}

export function sizeLabel(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} B`;
}

export interface Metric {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** A figure that explains another (CPU, batching, the hub's own metrics): shown, never turned into a ratio. */
  readonly diagnostic?: boolean;
  /** Values are multiplied by this for display (e.g. bytes → MB). */
  readonly scale?: number;
  readonly digits?: number;
}

export interface Scenario {
  readonly number: number;
  readonly name: string;
  readonly title: string;
  cases(settings: Settings): readonly Case[];
  /**
   * Start a broker for each case (memory figures must not inherit the previous case's heap); otherwise one
   * broker start serves every case of a repetition, in order.
   */
  readonly freshBrokerPerCase?: boolean;
  /**
   * The hub's deployment manifest content for this scenario; `c` is the case when the scenario starts a broker
   * per case (`freshBrokerPerCase`), so that cases may differ in their deployment.
   */
  deployment(settings: Settings, c?: Case): Deployment;
  /** The value the ratios compare. */
  readonly primary: string;
  readonly metrics: readonly Metric[];
  /** Why this scenario cannot run at all yet (printed in the table instead of numbers). */
  readonly unavailable?: string;
  run(ctx: RunContext): Promise<Outcome>;
}

/** The host's own speed in the window (bench/speed-probe.ts): a slow phase of the VM, not of the broker. */
export const MACHINE_SPEED: Metric = {
  key: 'machineSpeed',
  label: 'machine speed',
  unit: 'fixed work per CPU ms',
  higherIsBetter: true,
  diagnostic: true,
  digits: 2,
};

/** Common metric descriptions. */
export const CPU_METRICS: readonly Metric[] = [
  { key: 'brokerCpu', label: 'broker CPU', unit: 'cores', higherIsBetter: false, diagnostic: true, digits: 2 },
  { key: 'publisherCpu', label: 'publisher CPU', unit: 'cores', higherIsBetter: false, diagnostic: true, digits: 2 },
  { key: 'subscriberCpu', label: 'subscriber CPU', unit: 'cores', higherIsBetter: false, diagnostic: true, digits: 2 },
  { key: 'publisherBatch', label: 'messages per publisher write', unit: 'msg', higherIsBetter: true, diagnostic: true },
  {
    key: 'subscriberBatch',
    label: 'messages per subscriber PUBACK write',
    unit: 'msg',
    higherIsBetter: true,
    diagnostic: true,
  },
  {
    key: 'otherCpu',
    label: 'other load on the machine',
    unit: 'cores',
    higherIsBetter: false,
    diagnostic: true,
    digits: 2,
  },
  MACHINE_SPEED,
];

/** What the hub reports about a measured window (its /metrics); peers have no such figures. */
export const HUB_METRICS: readonly Metric[] = [
  {
    key: 'loopDelayP99',
    label: 'hub event-loop delay p99',
    unit: 'ms',
    higherIsBetter: false,
    diagnostic: true,
    digits: 1,
  },
  {
    key: 'loopDelayMax',
    label: 'hub event-loop delay max',
    unit: 'ms',
    higherIsBetter: false,
    diagnostic: true,
    digits: 1,
  },
  { key: 'gcMsPerSec', label: 'hub GC time', unit: 'ms/s', higherIsBetter: false, diagnostic: true, digits: 0 },
  {
    key: 'commitBatch',
    label: 'hub messages per group commit',
    unit: 'msg',
    higherIsBetter: true,
    diagnostic: true,
    digits: 1,
  },
  {
    key: 'slowCommits',
    label: 'hub commits over 10 ms',
    unit: '%',
    higherIsBetter: false,
    diagnostic: true,
    scale: 100,
    digits: 2,
  },
];
