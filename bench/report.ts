// Renders a suite result: the summary table (the primary value of each scenario and case, per broker, with the
// paired ratios), the targets, per-scenario details with every metric, notes and CPU limits, and the machine.
// Writes bench/results/<date>.md and .json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cpuLimits,
  gatedRatio,
  metricSummary,
  otherLoads,
  runNotes,
  type CaseResult,
  type Gated,
  type ScenarioResult,
  type SuiteResult,
} from './outcomes.js';
import { BROKER_KINDS, PEER_KINDS, type BrokerKind } from './peers/broker.js';
import type { Metric } from './scenarios/scenario.js';
import type { Summary } from './stats.js';
import { checkTargets } from './targets.js';

function num(v: number, m: Metric): string {
  const x = v * (m.scale ?? 1);
  if (m.digits !== undefined) return x.toFixed(m.digits);
  if (Math.abs(x) >= 10_000) return `${(x / 1000).toFixed(1)}k`;
  if (Math.abs(x) >= 100) return x.toFixed(0);
  return x.toFixed(1);
}

/** `33.1k (32.0k–34.2k)`; only the median when there is one value. */
export function formatSummary(s: Summary | undefined, m: Metric): string {
  if (!s) return '—';
  return s.n > 1 ? `${num(s.median, m)} (${num(s.min, m)}–${num(s.max, m)})` : num(s.median, m);
}

/**
 * A ratio after the load gate: refused outright when every repetition ran with too much other load, marked
 * when some did.
 */
export function formatRatio(g: Gated, maxLoad: number): string {
  const s = g.summary;
  const load = `other load up to ${(g.worstLoad ?? 0).toFixed(2)} cores > ${maxLoad}`;
  if (!s) return g.refused > 0 ? `**refused: ${load} in ${g.refused}/${g.measured}**` : '—';
  const text =
    s.n > 1 ? `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : `${s.median.toFixed(2)}×`;
  return g.refused > 0 ? `${text} **⚠ ${g.refused}/${g.measured} left out: ${load}**` : text;
}

function cell(r: SuiteResult, c: CaseResult, kind: BrokerKind, m: Metric): string {
  if (!c.brokers.includes(kind)) return '·';
  const missing = r.missing[kind];
  const s = metricSummary(c, kind, m.key, r.settings.repetitions);
  if (!s) return missing ? 'n/a' : (c.runs[kind] ?? []).some((x) => x.error) ? 'failed' : '—';
  return formatSummary(s, m);
}

function metricOf(s: ScenarioResult, key: string): Metric {
  return s.metrics.find((m) => m.key === key) ?? { key, label: key, unit: '', higherIsBetter: true };
}

function summaryTable(r: SuiteResult): string[] {
  const maxLoad = r.settings.maxOtherLoad;
  const lines = [
    '| # | scenario | case | metric | edgehub | mosquitto | aedes | hub/mosquitto | hub/aedes | limited by (hub) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of r.scenarios) {
    const m = metricOf(s, s.primary);
    const what = `${m.label} (${m.unit}, ${m.higherIsBetter ? 'higher' : 'lower'} is better)`;
    for (const c of s.cases) {
      if (s.unavailable) {
        lines.push(`| ${s.number} | ${s.name} | ${c.label} | ${m.label} | ${s.unavailable} | n/a | n/a | — | — | |`);
        continue;
      }
      const reps = r.settings.repetitions;
      const ratios = PEER_KINDS.map((p) =>
        c.brokers.includes(p) ? formatRatio(gatedRatio(c, p, s.primary, reps, maxLoad), maxLoad) : '·',
      );
      const limits = cpuLimits(c, 'edgehub', reps).join(', ');
      lines.push(
        `| ${s.number} | ${s.name} | ${c.label} | ${what} | ${BROKER_KINDS.map((k) => cell(r, c, k, m)).join(' | ')} | ${ratios.join(' | ')} | ${limits} |`,
      );
    }
  }
  return lines;
}

function details(r: SuiteResult, s: ScenarioResult): string[] {
  const lines = [`### ${s.number}. ${s.title} (\`${s.name}\`)`, ''];
  if (s.unavailable) return [...lines, s.unavailable, ''];
  lines.push(
    '| case | metric | edgehub | mosquitto | aedes | hub/mosquitto | hub/aedes |',
    '|---|---|---|---|---|---|---|',
  );
  const reps = r.settings.repetitions;
  const maxLoad = r.settings.maxOtherLoad;
  for (const c of s.cases) {
    for (const m of s.metrics) {
      const ratios = PEER_KINDS.map((p) =>
        c.brokers.includes(p) && !m.diagnostic ? formatRatio(gatedRatio(c, p, m.key, reps, maxLoad), maxLoad) : '·',
      );
      lines.push(
        `| ${c.label} | ${m.label} (${m.unit}) | ${BROKER_KINDS.map((k) => cell(r, c, k, m)).join(' | ')} | ${ratios.join(' | ')} |`,
      );
    }
  }
  const notes: string[] = [];
  for (const c of s.cases) {
    for (const k of c.brokers) {
      const limits = cpuLimits(c, k, reps);
      const n = [...(limits.length ? [`CPU-bound: ${limits.join(', ')}`] : []), ...runNotes(c, k)];
      if (n.length) notes.push(`- ${c.label}, ${k}: ${n.join('; ')}`);
    }
  }
  return [...lines, '', ...notes, ...(notes.length ? [''] : [])];
}

function hubPath(s: SuiteResult['settings']): string {
  const node = ['node', ...(s.hubNodeFlags ?? [])].join(' ');
  return s.hub === 'compiled'
    ? `compiled (\`--hub-build\`): \`${node} bin/edgehub.js start\` running dist/cli/edgehub.js without tsx, as the container image does`
    : `from source, \`${node} bin/edgehub.js start\` through tsx, as \`npm start\` runs it`;
}

export function renderMarkdown(r: SuiteResult): string {
  const m = r.machine;
  const s = r.settings;
  const date = r.startedAt.slice(0, 10);
  const quick =
    s.mode === 'quick'
      ? ' (quick mode: fewer repetitions, shorter windows and a smaller backlog than `--full`; settings at the end)'
      : '';
  const targets = checkTargets(r);
  const loads = otherLoads(r);
  const worst = loads.length ? Math.max(...loads) : undefined;
  const busy = loads.filter((x) => x > s.maxOtherLoad).length;
  const lines = [
    `# edgehub benchmark, ${date}, ${s.mode}`,
    '',
    `- the hub: ${hubPath(s)}`,
    `- commit ${m.commit.slice(0, 12)}${m.dirty ? ' (with uncommitted changes)' : ''}, Node ${m.node}, ${m.cores} cores ${m.cpuModel}`,
    `- other load on the machine: ${r.loadBefore === undefined ? 'not read' : `${r.loadBefore.toFixed(2)} cores`} before the suite; ${worst === undefined ? 'not measured' : `up to ${worst.toFixed(2)} cores`} during the runs; ratios and targets leave out repetitions above ${s.maxOtherLoad} cores${busy ? ` (**${busy} runs were above: their ratios are left out or marked ⚠**)` : ''}`,
    '',
    `Medians of ${s.repetitions} repetitions${quick}, min–max in brackets. Ratios are hub ÷ peer taken per`,
    'repetition (same run, order of the brokers rotated each repetition), then their median. Throughput is',
    'messages received and acknowledged by the subscribers per second after a warm-up; "cores" is CPU time over',
    'wall time (1.00 = one core busy). Brokers start afresh for every repetition (throughput and latency: one',
    'start serves both payload sizes; backlog and idle: one start per case). Figures marked · have no ratio.',
    '',
    ...summaryTable(r),
    '',
    '## Targets',
    '',
    '| target | edgehub | status |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.target} | ${t.value} | ${t.status} |`),
    '',
    '## Details',
    '',
    ...r.scenarios.flatMap((x) => details(r, x)),
    '## Machine and settings',
    '',
    `- ${m.cores} cores, ${m.cpuModel}, ${m.memoryGB} GB RAM, ${m.os}`,
    `- Node ${m.node}; ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `- disk: ${m.disk}`,
    `- commit ${m.commit}${m.dirty ? ' (with uncommitted changes)' : ''}`,
    ...Object.entries(r.missing).map(([k, why]) => `- ${k} not measured: ${why}`),
    `- ${s.mode}: ${s.repetitions} repetitions; warm-up ${s.warmupMs / 1000} s; throughput window ${s.measureMs / 1000} s; latency window ${s.latencyMeasureMs / 1000} s at ${s.latencyRate} msg/s; ${s.window} QoS 1 messages in flight per publisher; payloads ${s.sizes.join(' and ')} B; backlog ${s.backlogMessages} messages; ${s.idleConnections} idle connections`,
    `- the hub ran ${hubPath(s)}`,
    `- started ${r.startedAt}, took ${Math.round(r.durationSec)} s`,
    ...(r.hubProblems.length
      ? [
          '',
          `The hub logged ${r.hubProblems.length} warnings or errors; the first:`,
          '',
          ...r.hubProblems.slice(0, 10).map((p) => `- ${p}`),
        ]
      : []),
    '',
  ];
  return lines.join('\n');
}

/** Writes `<dir>/<date>[-<suffix>].md` and `.json`; returns the paths. */
export function writeResults(r: SuiteResult, dir: string, suffix: string): { md: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${r.startedAt.slice(0, 10)}${suffix ? `-${suffix}` : ''}`);
  writeFileSync(`${base}.md`, renderMarkdown(r));
  writeFileSync(`${base}.json`, JSON.stringify({ ...r, targets: checkTargets(r) }, null, 2) + '\n');
  return { md: `${base}.md`, json: `${base}.json` };
}
