// The order a suite runs in: repetition 1 of every scenario, then repetition 2 of every scenario, and so on,
// each repetition's brokers in rotated order. A scenario's repetitions are thus spread over the whole suite
// rather than run back to back: on a virtual machine whose speed changes every few minutes, back-to-back
// repetitions all met one phase, and their min–max said nothing about the next run (bench/README.md,
// "Why the published figures did not reproduce"). Hub and peer of one repetition still run side by side, so
// the paired ratios compare like with like.
import type { CaseResult, ScenarioResult } from './outcomes.js';
import { BROKER_KINDS, type BrokerKind } from './peers/broker.js';
import type { Case, Scenario, Settings } from './scenarios/scenario.js';
import { rotation } from './stats.js';

export interface Step {
  readonly scenario: Scenario;
  readonly rep: number;
  /** Position of the broker in its repetition. */
  readonly order: number;
  readonly kind: BrokerKind;
  /** The cases this broker start serves, in order. */
  readonly items: readonly { readonly c: Case; readonly result: CaseResult }[];
}

/** The result skeleton of every scenario, and the steps that fill it; one broker start per step. */
export function plan(
  scenarios: readonly Scenario[],
  settings: Settings,
  wanted: readonly BrokerKind[],
): { results: ScenarioResult[]; steps: Step[] } {
  const results: ScenarioResult[] = [];
  const groups: { scenario: Scenario; group: Step['items'] }[] = [];
  for (const scenario of scenarios) {
    const items = scenario.cases(settings).map((c) => {
      const result: CaseResult = {
        label: c.label,
        brokers: (c.brokers ?? BROKER_KINDS).filter((k) => wanted.includes(k)),
        runs: {},
      };
      return { c, result };
    });
    results.push({
      number: scenario.number,
      name: scenario.name,
      title: scenario.title,
      primary: scenario.primary,
      metrics: scenario.metrics,
      ...(scenario.unavailable ? { unavailable: scenario.unavailable } : {}),
      cases: items.map((i) => i.result),
    });
    if (scenario.unavailable) continue;
    for (const group of scenario.freshBrokerPerCase ? items.map((i) => [i]) : [items]) groups.push({ scenario, group });
  }
  const steps: Step[] = [];
  for (let rep = 0; rep < settings.repetitions; rep++) {
    for (const { scenario, group } of groups) {
      const kinds = BROKER_KINDS.filter((k) => group.some((i) => i.result.brokers.includes(k)));
      rotation(kinds, rep).forEach((kind, order) =>
        steps.push({ scenario, rep, order, kind, items: group.filter((i) => i.result.brokers.includes(kind)) }),
      );
    }
  }
  return { results, steps };
}
