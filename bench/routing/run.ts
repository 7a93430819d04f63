// Route engine benchmark: evaluations per second, compiled predicates against the tree-walking interpreter.
// Times are CPU time of this process (user + system), so other load on the machine does not count.
//   npm run bench:routing              7 runs per case (medians with min–max)
//   npm run bench:routing -- --runs=15
// Uses the public entry point (routing/index.ts) only. Never run by npm test.
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import {
  EvalContext,
  compileCondition,
  RouteTable,
  type EndpointMatch,
  type Predicate,
  type RoutableMessage,
} from '../../routing/index.js';

const RUNS = Number(/^--runs=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--runs=')) ?? '')?.[1] ?? 7);
const RUN_MS = 250;

const system = (moduleId: string, output: string): Record<string, string> => ({
  messageId: 'mid-1',
  connectionDeviceId: 'edge1',
  connectionModuleId: moduleId,
  outputName: output,
  contentType: 'application/json',
  contentEncoding: 'utf-8',
  edgeMessageId: '2b9d4f0e-0d3a-4c5e-9a57-2c1c1f3f8f41',
  edgeHubOriginInterface: 'internal',
});

// A 200-byte JSON body, as a temperature sensor would send.
const BODY = JSON.stringify({
  deviceId: 'sensor-0001',
  temperature: 35.5,
  humidity: 41.25,
  pressure: 1013.25,
  status: 'ok',
  machine: { temperature: 102.75, pressure: 9.875, state: 'running' },
  ambient: { temperature: 21.5, humidity: 40 },
  seq: 123456,
});
const bodyBytes = new TextEncoder().encode(BODY);

/** Eight messages from module "sensor", each matched by exactly two of the 50 routes below. */
const messages: RoutableMessage[] = Array.from({ length: 8 }, (_, k) => ({
  properties: { level: `L${4 * k}`, temperature: '35', alert: 'true', deviceType: 'typeX' },
  systemProperties: system('sensor', `out${4 * k + 2}`),
  body: bodyBytes,
}));

/** 50 routes, all from module "sensor" (no help from the index: every route is a candidate), property conditions. */
function tableSpecs(): { name: string; route: string }[] {
  return Array.from({ length: 50 }, (_, i) => {
    const condition = [
      `level = 'L${i}'`,
      `as_number(temperature) > ${100 + i}`,
      `$outputName = 'out${i}' AND alert = 'true'`,
      `starts_with(deviceType, 'type${i}')`,
    ][i % 4]!;
    return {
      name: `r${i}`,
      route: `FROM /messages/modules/sensor/* WHERE ${condition} INTO BrokeredEndpoint("/modules/m${i}/inputs/in")`,
    };
  });
}

/** Batch size for about RUN_MS of CPU, found while warming the step up. */
function calibrate(step: (i: number) => number): number {
  let n = 1000;
  for (;;) {
    const t = process.cpuUsage();
    for (let i = 0; i < n; i++) step(i);
    const used = process.cpuUsage(t);
    const ms = (used.user + used.system) / 1000;
    if (ms > RUN_MS / 4) return Math.max(1000, Math.round((n * RUN_MS) / ms));
    n *= 4;
  }
}

/**
 * Every step is warmed up first (so the interpreter, like a hub's, has seen every kind of route), then the
 * runs are interleaved, one batch of each step in turn, so drifting load on the machine hits all alike.
 */
function measureAll(steps: ((i: number) => number)[]): number[][] {
  const sizes = steps.map(calibrate);
  const ns: number[][] = steps.map(() => []);
  let sink = 0;
  for (let r = 0; r < RUNS; r++) {
    steps.forEach((step, k) => {
      const n = sizes[k]!;
      const t = process.cpuUsage();
      for (let i = 0; i < n; i++) sink += step(i);
      const used = process.cpuUsage(t);
      ns[k]!.push(((used.user + used.system) * 1000) / n);
    });
  }
  if (sink === -1) console.log('unreachable');
  return ns;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function predicateCase(condition: string, interpreted: boolean): (i: number) => number {
  const r = compileCondition(condition, { interpreted });
  if (!r.ok) throw new Error(r.error.message);
  const predicate: Predicate = r.condition.predicate!;
  const body = new EvalContext();
  return (i) => {
    const m = messages[i & 7]!;
    body.reset(m); // a fresh message: a $body condition parses it again, as the hub would
    return predicate(m, body) === true ? 1 : 0;
  };
}

function tableCase(interpreted: boolean): (i: number) => number {
  const built = RouteTable.build(tableSpecs(), { interpreted });
  if (!built.ok) throw new Error(built.errors.map((e) => e.message).join('\n'));
  const table = built.table;
  const out: EndpointMatch[] = [];
  for (const m of messages)
    if (table.evaluate(m, out).length !== 2) throw new Error('each message must match 2 routes');
  return (i) => table.evaluate(messages[i & 7]!, out).length;
}

const CASES = [
  {
    name: '(a) property condition',
    make: (x: boolean) =>
      predicateCase("alert = 'true' AND as_number(temperature) > 30 AND $connectionModuleId = 'sensor'", x),
  },
  {
    // The same without a `$name`: a `$name` missing from the application properties costs both engines one
    // case-insensitive walk of the property names per message (~10 ns), which (a) includes.
    name: "(a') property condition, no $name",
    make: (x: boolean) => predicateCase("alert = 'true' AND as_number(temperature) > 30 AND level <> 'x'", x),
  },
  {
    name: '(b) $body condition, 200 B JSON',
    make: (x: boolean) => predicateCase("$body.temperature > 30 AND $body.status = 'ok'", x),
  },
  { name: '(c) 50-route table, 2 match', make: (x: boolean) => tableCase(x) },
];

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function commit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

console.log(
  `route engine benchmark: node ${process.version}, ${cpus()[0]?.model ?? 'cpu?'}, commit ${commit()}, ${RUNS} interleaved runs of ~${RUN_MS} ms per case, CPU time\n`,
);
const header = ['case', 'engine', 'ns/msg (median)', 'msg/s (median)', 'msg/s (min–max)'];
const rows: string[][] = [];
const ratios: string[] = [];
const results = measureAll(CASES.flatMap((c) => [c.make(false), c.make(true)]));
CASES.forEach((c, k) => {
  const medians = [0, 1].map((e) => {
    const ns = results[2 * k + e]!;
    const med = median(ns);
    const rates = ns.map((x) => 1e9 / x);
    rows.push([
      c.name,
      e === 1 ? 'interpreted' : 'compiled',
      fmt(med, 1),
      fmt(1e9 / med),
      `${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}`,
    ]);
    return med;
  });
  ratios.push(`${c.name}: compiled is ${fmt(medians[1]! / medians[0]!, 1)}× the interpreter`);
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]): string =>
  cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log(`\n${ratios.join('\n')}`);
console.log(
  'targets: compiled ≥ 10× the interpreter; the 50-route table ≥ 1,000,000 msg/s on one core (property conditions)',
);
