// The performance targets of issues 5 and 15, checked against a suite result. A target whose scenario or broker did
// not run is "not measured", never "met".
import { gatedCaseRatio, gatedRatio, gatedSummary, type SuiteResult } from './outcomes.js';
import type { BrokerKind } from './peers/broker.js';

export interface TargetCheck {
  readonly target: string;
  /** The measured value, formatted. */
  readonly value: string;
  readonly status: 'met' | 'missed' | 'not measured';
}

interface Target {
  readonly target: string;
  readonly scenario: string;
  readonly caseLabel: string;
  /** A ratio of the hub to `peer` on `key`, or to the hub's own `key` in case `baselineCase`, or the hub's own value of `key`. */
  readonly peer?: BrokerKind;
  readonly baselineCase?: string;
  readonly key: string;
  readonly compare: 'atLeast' | 'atMost';
  readonly bound: number;
  readonly format: (v: number) => string;
  /** Only meaningful with this many messages queued (the backlog scenario). */
  readonly needsBacklog?: number;
}

const ratio = (v: number) => `${v.toFixed(3)}×`;
const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
const msgs = (v: number) => `${(v / 1000).toFixed(1)}k msg/s`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

export const TARGETS: readonly Target[] = [
  {
    target: 'route 200 B ≥ 1.0× Mosquitto',
    scenario: 'route',
    caseLabel: '200 B',
    peer: 'mosquitto',
    key: 'delivered',
    compare: 'atLeast',
    bound: 1.0,
    format: ratio,
  },
  {
    target: 'route 200 B ≥ 0.8× bare aedes',
    scenario: 'route',
    caseLabel: '200 B',
    peer: 'aedes',
    key: 'delivered',
    compare: 'atLeast',
    bound: 0.8,
    format: ratio,
  },
  {
    target: 'route 4 KB ≥ 0.7× Mosquitto',
    scenario: 'route',
    caseLabel: '4 KB',
    peer: 'mosquitto',
    key: 'delivered',
    compare: 'atLeast',
    bound: 0.7,
    format: ratio,
  },
  {
    target: 'latency 200 B: p99 ≤ 2 ms at 2,000 msg/s',
    scenario: 'latency',
    caseLabel: '200 B',
    key: 'p99',
    compare: 'atMost',
    bound: 2000,
    format: ms,
  },
  {
    target: 'latency 4 KB: p99 ≤ 2 ms at 2,000 msg/s',
    scenario: 'latency',
    caseLabel: '4 KB',
    key: 'p99',
    compare: 'atMost',
    bound: 2000,
    format: ms,
  },
  {
    target: 'backlog 200 B: drain ≥ 20k msg/s',
    scenario: 'backlog',
    caseLabel: '200 B',
    key: 'drain',
    compare: 'atLeast',
    bound: 20_000,
    format: msgs,
  },
  {
    target: 'backlog 200 B: RSS < 150 MB with 100k queued',
    scenario: 'backlog',
    caseLabel: '200 B',
    key: 'rssPeak',
    compare: 'atMost',
    bound: 150 * 2 ** 20,
    format: mb,
    needsBacklog: 100_000,
  },
  {
    target: 'backlog 4 KB: drain ≥ 20k msg/s',
    scenario: 'backlog',
    caseLabel: '4 KB',
    key: 'drain',
    compare: 'atLeast',
    bound: 20_000,
    format: msgs,
  },
  {
    target: 'backlog 4 KB: RSS < 150 MB with 100k queued',
    scenario: 'backlog',
    caseLabel: '4 KB',
    key: 'rssPeak',
    compare: 'atMost',
    bound: 150 * 2 ** 20,
    format: mb,
    needsBacklog: 100_000,
  },
  {
    target: 'routes: 500 routes in the table ≥ 0.9× the throughput of 1',
    scenario: 'routes',
    caseLabel: '500 routes',
    baselineCase: '1 route',
    key: 'delivered',
    compare: 'atLeast',
    bound: 0.9,
    format: ratio,
  },
  {
    target: 'pairs: 100 module pairs ≥ 0.9× the total throughput of 10',
    scenario: 'pairs',
    caseLabel: '100 pairs',
    baselineCase: '10 pairs',
    key: 'delivered',
    compare: 'atLeast',
    bound: 0.9,
    format: ratio,
  },
  {
    target: 'idle: < 50 KB per connection (plain MQTT)',
    scenario: 'idle',
    caseLabel: 'plain',
    key: 'perConnection',
    compare: 'atMost',
    bound: 50 * 1024,
    format: kb,
  },
  {
    target: 'idle: < 50 KB per connection (TLS, as the SDK)',
    scenario: 'idle',
    caseLabel: 'TLS',
    key: 'perConnection',
    compare: 'atMost',
    bound: 50 * 1024,
    format: kb,
  },
];

export function checkTargets(result: SuiteResult): TargetCheck[] {
  const reps = result.settings.repetitions;
  const out: TargetCheck[] = [];
  for (const t of TARGETS) {
    const scenario = result.scenarios.find((s) => s.name === t.scenario);
    const c = scenario?.cases.find((x) => x.label === t.caseLabel);
    if (!c) continue; // not selected in this run
    if (t.needsBacklog !== undefined && result.settings.backlogMessages < t.needsBacklog) {
      out.push({
        target: t.target,
        value: `(${result.settings.backlogMessages / 1000}k queued in this mode; run --full)`,
        status: 'not measured',
      });
      continue;
    }
    const maxLoad = result.settings.maxOtherLoad;
    const base = t.baselineCase ? scenario?.cases.find((x) => x.label === t.baselineCase) : undefined;
    if (t.baselineCase && !base) {
      out.push({ target: t.target, value: `— (case ${t.baselineCase} did not run)`, status: 'not measured' });
      continue;
    }
    const g = t.peer
      ? gatedRatio(c, t.peer, t.key, reps, maxLoad)
      : base
        ? gatedCaseRatio(c, base, t.key, reps, maxLoad)
        : gatedSummary(c, 'edgehub', t.key, reps, maxLoad);
    const s = g.summary;
    const refusedNote =
      g.refused > 0
        ? ` (${g.refused} of ${g.measured} repetitions left out: other load on the machine above ${maxLoad} cores)`
        : '';
    if (!s) {
      out.push({ target: t.target, value: g.refused > 0 ? `refused${refusedNote}` : '—', status: 'not measured' });
      continue;
    }
    const met = t.compare === 'atLeast' ? s.median >= t.bound : s.median <= t.bound;
    const range = s.n > 1 ? ` (${t.format(s.min)}–${t.format(s.max)})` : '';
    out.push({
      target: t.target,
      value: `${t.format(s.median)}${range}${refusedNote}`,
      status: met ? 'met' : 'missed',
    });
  }
  return out;
}
