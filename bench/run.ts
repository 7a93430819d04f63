// The benchmark suite: `node --import tsx bench/run.ts [--full] [--scenario NAME] [--json]`.
// Repetition by repetition, for every scenario and case it starts each broker (edgehub, Mosquitto, bare aedes)
// afresh, in an order rotated per repetition, drives it with lean load processes, stops it by PID, and finally prints
// and writes a table of medians and paired ratios (bench/results/<date>.md and .json).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HUB_NODE_FLAGS } from '../cli/node-flags.js';
import { describeMachine } from './machine.js';
import type { CaseResult, RunRecord, SuiteResult } from './outcomes.js';
import { startAedes } from './peers/aedes-bare.js';
import { BROKER_KINDS, type Broker, type BrokerKind } from './peers/broker.js';
import { startEdgehub } from './peers/edgehub.js';
import { buildHub } from './peers/hub-build.js';
import { findMosquitto, mosquittoVersion, startMosquitto } from './peers/mosquitto.js';
import { stillRunning } from './processes.js';
import { MachineCpuMeter } from './proc-stats.js';
import { plan } from './plan.js';
import { renderMarkdown, writeResults } from './report.js';
import { checkTargets } from './targets.js';
import { SCENARIOS } from './scenarios/index.js';
import type { Case, Scenario, Settings } from './scenarios/scenario.js';
import { LoadProcess } from './load/load-process.js';
import { ProgressLine } from './progress.js';

const HELP = `Usage: node --import tsx bench/run.ts [options]   (npm run bench -- [options])

  --full               5 repetitions, 10 s windows, 100k-message backlog (about 40 minutes on 2 cores);
                       default is quick: 3 repetitions, 1.5 s windows, 30k backlog (about 6 minutes)
  --scenario NAMES     only these scenarios, by name or number, comma-separated:
                       ${SCENARIOS.map((s) => `${s.number} ${s.name}`).join(', ')}
  --brokers KINDS      only these brokers, comma-separated (default edgehub,mosquitto,aedes)
  --reps N             repetitions (default 3 quick, 5 full)
  --json               print the result as JSON on stdout instead of the table
  --work-dir DIR       where data folders and peer configurations go (default: the system temp dir);
                       put it on the disk you want measured
  --hub-build          compile the hub (tsc -p tsconfig.build.json) and run the JavaScript, as the image
                       does; default: bin/edgehub.js, the sources through tsx (about 30 MB more RSS)
  --max-other-load X   leave out of ratios and targets every repetition that ran while anything else on
                       the machine used more than X cores (default 0.25); the table says what it left out
  --profile-hub DIR    run the hub with --cpu-prof, profiles written to DIR
  --out DIR            results folder (default bench/results)
  -h, --help
`;

const QUICK: Settings = {
  mode: 'quick',
  repetitions: 3,
  warmupMs: 500,
  measureMs: 1500,
  latencyMeasureMs: 2500,
  window: 100,
  sizes: [200, 4096],
  latencyRate: 2000,
  backlogMessages: 30_000,
  idleConnections: 1000,
  idleConcurrency: 20,
  settleMs: 500,
  hub: 'source',
  maxOtherLoad: 0.25,
};

const FULL: Settings = {
  ...QUICK,
  mode: 'full',
  repetitions: 5,
  warmupMs: 2000,
  measureMs: 10_000,
  latencyMeasureMs: 15_000,
  backlogMessages: 100_000,
  settleMs: 2000,
};

function pickScenarios(spec: string | undefined): Scenario[] {
  if (!spec) return [...SCENARIOS];
  const wanted = spec.split(',').map((x) => x.trim().toLowerCase());
  const out = SCENARIOS.filter((s) => wanted.includes(s.name) || wanted.includes(String(s.number)));
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w || String(s.number) === w));
  if (unknown.length)
    throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return out;
}

function pickBrokers(spec: string | undefined): BrokerKind[] {
  if (!spec) return [...BROKER_KINDS];
  const wanted = spec.split(',').map((x) => x.trim());
  const bad = wanted.filter((w) => !(BROKER_KINDS as readonly string[]).includes(w));
  if (bad.length) throw new Error(`unknown broker ${bad.join(', ')}; known: ${BROKER_KINDS.join(', ')}`);
  return BROKER_KINDS.filter((k) => wanted.includes(k));
}

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    options: {
      full: { type: 'boolean' },
      scenario: { type: 'string' },
      brokers: { type: 'string' },
      reps: { type: 'string' },
      json: { type: 'boolean' },
      'work-dir': { type: 'string' },
      'profile-hub': { type: 'string' },
      'hub-build': { type: 'boolean' },
      'max-other-load': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const base = v.full ? FULL : QUICK;
  const reps = v.reps === undefined ? base.repetitions : Number(v.reps);
  if (!Number.isInteger(reps) || reps < 1 || reps > 50) throw new Error('--reps must be a whole number from 1 to 50');
  const maxOtherLoad = v['max-other-load'] === undefined ? base.maxOtherLoad : Number(v['max-other-load']);
  if (!Number.isFinite(maxOtherLoad) || maxOtherLoad < 0)
    throw new Error('--max-other-load must be a number of cores, 0 or more (e.g. 0.25)');
  const settings: Settings = {
    ...base,
    repetitions: reps,
    maxOtherLoad,
    hub: v['hub-build'] ? 'compiled' : 'source',
    hubNodeFlags: HUB_NODE_FLAGS,
  };
  const scenarios = pickScenarios(v.scenario);
  const wantedBrokers = pickBrokers(v.brokers);
  const progress = new ProgressLine();

  const workDir = mkdtempSync(join(v['work-dir'] ?? tmpdir(), 'edgehub-bench-'));
  const missing: Partial<Record<BrokerKind, string>> = {};
  const versions: Record<string, string> = {};
  let mosquittoPath: string | undefined;
  if (wantedBrokers.includes('mosquitto')) {
    const found = findMosquitto((line) => progress.say(line));
    if ('path' in found) {
      mosquittoPath = found.path;
      versions.mosquitto = mosquittoVersion(found.path);
    } else {
      missing.mosquitto = found.missing;
      progress.say(found.missing);
    }
  }
  let hubCli: string | undefined;
  if (v['hub-build'] && wantedBrokers.includes('edgehub')) {
    progress.say('compiling the hub (tsc -p tsconfig.build.json)');
    hubCli = buildHub(join(workDir, 'build'));
  }
  const hubProblems: string[] = [];
  // The hub runs with the node flags users' hubs get (npm start, the image), plus the profiler's when asked.
  const nodeFlags = [
    ...(settings.hubNodeFlags ?? []),
    ...(v['profile-hub'] ? ['--cpu-prof', `--cpu-prof-dir=${v['profile-hub']}`] : []),
  ];
  // What the machine does before we add anything: a busy machine makes every figure of the run suspect.
  progress.say('measuring the load on the machine before the first broker starts (3 s)');
  const before = new MachineCpuMeter();
  before.start();
  await new Promise((r) => setTimeout(r, 3000));
  const loadBefore = before.read();
  if (loadBefore !== undefined && loadBefore > settings.maxOtherLoad)
    progress.say(
      `warning: the machine is already busy (${loadBefore.toFixed(2)} cores in use before the suite); ratios of repetitions with other load above ${settings.maxOtherLoad} cores are left out`,
    );
  const startedAt = new Date();
  const { results, steps } = plan(scenarios, settings, wantedBrokers);
  const result: SuiteResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationSec: 0,
    machine: describeMachine(workDir, versions),
    settings,
    missing,
    hubProblems,
    ...(loadBefore !== undefined ? { loadBefore } : {}),
    scenarios: results,
  };
  const total = steps.reduce((n, st) => n + st.items.length, 0);
  let done = 0;

  const start = (kind: BrokerKind, scenario: Scenario, c: Case): Promise<Broker> => {
    if (kind === 'mosquitto') return startMosquitto(mosquittoPath!, workDir);
    if (kind === 'aedes') return startAedes();
    return startEdgehub(scenario.deployment(settings, scenario.freshBrokerPerCase ? c : undefined), {
      workDir,
      nodeFlags,
      ...(hubCli ? { cli: hubCli } : {}),
      onProblem: (line) => {
        if (hubProblems.length < 200) hubProblems.push(line);
      },
    });
  };

  try {
    for (const step of steps) {
      const { scenario, rep, kind } = step;
      const label = (c: Case) => `${scenario.name} ${c.label} · rep ${rep + 1}/${reps} · ${kind}`;
      const first = step.items[0];
      if (!first) continue;
      if (missing[kind]) {
        done += step.items.length;
        continue;
      }
      progress.step(done + 1, total, `${label(first.c)}: starting ${kind}`);
      let broker: Broker;
      try {
        broker = await start(kind, scenario, first.c);
      } catch (err) {
        const message = (err as Error).message;
        done += step.items.length;
        if (kind === 'edgehub') {
          missing.edgehub = `the hub does not start: ${message.split('\n').slice(0, 3).join(' ')}`;
          progress.say(missing.edgehub);
        } else {
          for (const { result: r } of step.items)
            (r.runs[kind] ??= []).push({ rep, order: step.order, values: {}, notes: [], error: `start: ${message}` });
        }
        continue;
      }
      const records: { r: CaseResult; record: RunRecord }[] = [];
      try {
        for (const { c, result: r } of step.items) {
          progress.step(++done, total, `${label(c)} …`);
          let record: RunRecord;
          try {
            const outcome = await scenario.run({ broker, settings, case: c });
            record = { rep, order: step.order, values: outcome.values, notes: outcome.notes };
          } catch (err) {
            record = { rep, order: step.order, values: {}, notes: [], error: (err as Error).message.slice(0, 500) };
          }
          records.push({ r, record });
          progress.step(done, total, `${label(c)} → ${headline(scenario, record)}`, true);
        }
      } finally {
        const complaint = await broker.stop();
        for (const { r, record } of records)
          (r.runs[kind] ??= []).push(complaint ? { ...record, notes: [...record.notes, complaint] } : record);
      }
    }
  } finally {
    progress.done();
    await LoadProcess.closeAll();
    rmSync(workDir, { recursive: true, force: true });
  }

  result.finishedAt = new Date().toISOString();
  result.durationSec = (Date.now() - startedAt.getTime()) / 1000;
  // A whole suite is named by its mode and build path (`full`, `full-build`, `build`); a subset is `partial`.
  const complete = !v.scenario && !v.brokers && !v.reps;
  const naming = [settings.mode === 'quick' ? '' : 'full', v['hub-build'] ? 'build' : ''].filter((x) => x !== '');
  const suffix = complete ? naming.join('-') : 'partial';
  const outDir = v.out ?? fileURLToPath(new URL('./results/', import.meta.url));
  const paths = writeResults(result, outDir, suffix);
  if (v.json) process.stdout.write(JSON.stringify({ ...result, targets: checkTargets(result) }, null, 2) + '\n');
  else process.stdout.write(renderMarkdown(result));
  process.stderr.write(`results: ${paths.md}, ${paths.json}\n`);
  const left = stillRunning();
  if (left.length) process.stderr.write(`still running (killed on exit): ${left.join(', ')}\n`);
  return 0;
}

function headline(scenario: Scenario, record: RunRecord): string {
  if (record.error) return `error: ${record.error.split('\n')[0]}`;
  const m = scenario.metrics.find((x) => x.key === scenario.primary);
  const value = record.values[scenario.primary];
  if (value === undefined || !m) return '—';
  const x = value * (m.scale ?? 1);
  return `${x.toLocaleString('en', { maximumFractionDigits: x < 10 ? 2 : 0 })} ${m.unit}`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
