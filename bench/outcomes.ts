// The results of a suite run as data: every run of every broker, and their summaries (median with min–max per
// broker, paired ratios of the hub to each peer). report.ts renders this; the .json file is this.
import type { Machine } from './machine.js';
import type { BrokerKind } from './peers/broker.js';
import type { Metric, Settings, Values } from './scenarios/scenario.js';
import { isCpuBound, ratioSummary, summarize, type Summary } from './stats.js';

export interface RunRecord {
  readonly rep: number;
  /** Position of this broker in its repetition (0 = first). */
  readonly order: number;
  readonly values: Values;
  readonly notes: readonly string[];
  readonly error?: string;
}

export interface CaseResult {
  readonly label: string;
  readonly brokers: readonly BrokerKind[];
  readonly runs: Partial<Record<BrokerKind, RunRecord[]>>;
}

export interface ScenarioResult {
  readonly number: number;
  readonly name: string;
  readonly title: string;
  readonly primary: string;
  readonly metrics: readonly Metric[];
  readonly unavailable?: string;
  readonly cases: CaseResult[];
}

export interface SuiteResult {
  readonly startedAt: string;
  finishedAt: string;
  durationSec: number;
  readonly machine: Machine;
  readonly settings: Settings;
  /** Brokers that could not run at all, and why. */
  readonly missing: Partial<Record<BrokerKind, string>>;
  /** Warnings and errors the hub logged. */
  readonly hubProblems: string[];
  readonly scenarios: ScenarioResult[];
}

/** Values of one metric per repetition (undefined where the run failed), indexed by repetition. */
export function series(c: CaseResult, kind: BrokerKind, key: string, reps: number): (number | undefined)[] {
  const out: (number | undefined)[] = Array.from({ length: reps }, () => undefined);
  for (const r of c.runs[kind] ?? []) if (!r.error) out[r.rep] = r.values[key];
  return out;
}

export function metricSummary(c: CaseResult, kind: BrokerKind, key: string, reps: number): Summary | undefined {
  return summarize(series(c, kind, key, reps));
}

/** hub / peer, pair by pair, then the median. */
export function hubRatio(c: CaseResult, peer: BrokerKind, key: string, reps: number): Summary | undefined {
  return ratioSummary(series(c, 'edgehub', key, reps), series(c, peer, key, reps));
}

/** Distinct notes of a broker's runs, with how often each came up, and its errors. */
export function runNotes(c: CaseResult, kind: BrokerKind): string[] {
  const counts = new Map<string, number>();
  for (const r of c.runs[kind] ?? []) {
    for (const n of r.error ? [`error: ${r.error}`] : r.notes) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return [...counts].map(([n, k]) => (k > 1 ? `${n} (×${k})` : n));
}

/** Which processes were CPU-bound (median over the repetitions above 90% of a core). */
export function cpuLimits(c: CaseResult, kind: BrokerKind, reps: number): string[] {
  const out: string[] = [];
  for (const [key, what] of [
    ['brokerCpu', 'broker'],
    ['publisherCpu', 'publisher'],
    ['subscriberCpu', 'subscriber'],
  ] as const) {
    const s = metricSummary(c, kind, key, reps);
    if (s && isCpuBound(s.median)) out.push(`${what} CPU`);
  }
  return out;
}
