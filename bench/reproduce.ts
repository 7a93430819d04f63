// Does a new suite run reproduce a published one? For every scenario, case and broker both runs have, the new
// run's median of the headline figure must lie within the published run's min–max (and likewise the hub's
// paired ratios to each peer). Pure: compare.ts reads the two JSON files and prints this.
import { gatedRatio, metricSummary, type CaseResult, type SuiteResult } from './outcomes.js';
import { PEER_KINDS } from './peers/broker.js';
import type { Summary } from './stats.js';

/** Results written before the load gate existed carry no limit; they are read with the default. */
const DEFAULT_GATE = 0.25;

export interface Reproduction {
  readonly scenario: string;
  readonly caseLabel: string;
  /** A broker (`edgehub`) or a ratio (`edgehub/mosquitto`). */
  readonly figure: string;
  readonly metric: string;
  readonly published: Summary;
  readonly now: Summary;
  readonly within: boolean;
}

function caseOf(r: SuiteResult, scenario: string, label: string): CaseResult | undefined {
  return r.scenarios.find((s) => s.name === scenario)?.cases.find((c) => c.label === label);
}

function row(
  scenario: string,
  caseLabel: string,
  figure: string,
  metric: string,
  published: Summary | undefined,
  now: Summary | undefined,
): Reproduction | undefined {
  if (!published || !now) return undefined;
  const within = now.median >= published.min && now.median <= published.max;
  return { scenario, caseLabel, figure, metric, published, now, within };
}

/**
 * Every headline figure both runs measured. Ratios go through each run's own load gate, so a ratio the
 * published run refused is not compared.
 */
export function reproduce(published: SuiteResult, now: SuiteResult): Reproduction[] {
  const out: Reproduction[] = [];
  for (const s of published.scenarios) {
    for (const c of s.cases) {
      const n = caseOf(now, s.name, c.label);
      if (!n) continue;
      const pReps = published.settings.repetitions;
      const nReps = now.settings.repetitions;
      for (const kind of c.brokers) {
        const r = row(
          s.name,
          c.label,
          kind,
          s.primary,
          metricSummary(c, kind, s.primary, pReps),
          metricSummary(n, kind, s.primary, nReps),
        );
        if (r) out.push(r);
      }
      if (!c.brokers.includes('edgehub')) continue;
      for (const peer of PEER_KINDS) {
        if (!c.brokers.includes(peer) || !n.brokers.includes(peer)) continue;
        const p = gatedRatio(c, peer, s.primary, pReps, published.settings.maxOtherLoad ?? DEFAULT_GATE).summary;
        const q = gatedRatio(n, peer, s.primary, nReps, now.settings.maxOtherLoad ?? DEFAULT_GATE).summary;
        const r = row(s.name, c.label, `edgehub/${peer}`, s.primary, p, q);
        if (r) out.push(r);
      }
    }
  }
  return out;
}
