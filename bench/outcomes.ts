// The results of a suite run as data: every run of every broker, and their summaries (median with min–max per
// broker, paired ratios of the hub to each peer). report.ts renders this; the .json file is this.
import type { Machine } from './machine.js';
import type { BrokerKind } from './peers/broker.js';
import type { Metric, Settings, Values } from './scenarios/scenario.js';
import { isCpuBound, keepOnly, quietRepetitions, ratioSummary, summarize, type Summary } from './stats.js';

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
  /** Cores the machine was busy in the seconds before the first broker started (other load, nothing of ours). */
  readonly loadBefore?: number;
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

/** A figure after the load gate: the summary of the quiet repetitions, and what the gate refused. */
export interface Gated {
  readonly summary: Summary | undefined;
  /** Repetitions that had the figure but ran with more other load than allowed. */
  readonly refused: number;
  /** Repetitions that had the figure at all. */
  readonly measured: number;
  /** The highest other load among the refused repetitions (cores). */
  readonly worstLoad: number | undefined;
}

/** What the load gate refused among the repetitions that had the figure (`present`). */
function refusals(present: readonly boolean[], quiet: readonly boolean[], loads: readonly (number | undefined)[][]) {
  let refused = 0;
  let measured = 0;
  let worstLoad: number | undefined;
  present.forEach((p, i) => {
    if (!p) return;
    measured++;
    if (quiet[i] !== false) return;
    refused++;
    worstLoad = Math.max(worstLoad ?? 0, ...loads.map((l) => l[i] ?? 0));
  });
  return { refused, measured, worstLoad };
}

const has = (v: number | undefined) => v !== undefined && Number.isFinite(v);

/**
 * hub / peer pair by pair, leaving out every repetition in which either side ran with more than `maxLoad`
 * cores of other load on the machine: a ratio taken while something else competed for the cores says more
 * about that something than about the brokers.
 */
export function gatedRatio(c: CaseResult, peer: BrokerKind, key: string, reps: number, maxLoad: number): Gated {
  const hub = series(c, 'edgehub', key, reps);
  const other = series(c, peer, key, reps);
  const loads = [series(c, 'edgehub', 'otherCpu', reps), series(c, peer, 'otherCpu', reps)];
  const quiet = quietRepetitions(loads, maxLoad);
  const present = hub.map((h, i) => has(h) && has(other[i]));
  return { summary: ratioSummary(keepOnly(hub, quiet), keepOnly(other, quiet)), ...refusals(present, quiet, loads) };
}

/** The hub's figure in case `c` over the same figure in case `base` (same scenario), repetition by repetition. */
export function gatedCaseRatio(c: CaseResult, base: CaseResult, key: string, reps: number, maxLoad: number): Gated {
  const a = series(c, 'edgehub', key, reps);
  const b = series(base, 'edgehub', key, reps);
  const loads = [series(c, 'edgehub', 'otherCpu', reps), series(base, 'edgehub', 'otherCpu', reps)];
  const quiet = quietRepetitions(loads, maxLoad);
  const present = a.map((x, i) => has(x) && has(b[i]));
  return { summary: ratioSummary(keepOnly(a, quiet), keepOnly(b, quiet)), ...refusals(present, quiet, loads) };
}

/** A broker's own figure over its quiet repetitions (the absolute targets: drain rate, p99). */
export function gatedSummary(c: CaseResult, kind: BrokerKind, key: string, reps: number, maxLoad: number): Gated {
  const values = series(c, kind, key, reps);
  const loads = [series(c, kind, 'otherCpu', reps)];
  const quiet = quietRepetitions(loads, maxLoad);
  return { summary: summarize(keepOnly(values, quiet)), ...refusals(values.map(has), quiet, loads) };
}

/** Other load (cores) of every run that measured it, over the whole suite. */
export function otherLoads(r: SuiteResult): number[] {
  const out: number[] = [];
  for (const s of r.scenarios)
    for (const c of s.cases)
      for (const runs of Object.values(c.runs))
        for (const run of runs ?? []) if (typeof run.values.otherCpu === 'number') out.push(run.values.otherCpu);
  return out;
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
