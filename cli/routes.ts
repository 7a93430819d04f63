// `edgehub routes check <file>` validates the routes of a deployment manifest; `edgehub routes eval` runs
// route-vector cases read as JSON lines on stdin (the format of the shared vectors), one answer per line.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { findEdgeHubDesired, formatIssues, hasErrors, validateEdgeHubDesired } from '../manifest/index.js';
import {
  compileCondition,
  compileRoute,
  parseVectorCase,
  RouteTable,
  vectorSink,
  type RouteError,
  type VectorCase,
} from '../routing/index.js';
import { UsageError } from './command.js';
import { parseFlags } from './flags.js';

const HELP = `Usage: edgehub routes <command> [options]

Commands:
  check <file>   Validate the routes of a deployment manifest (deployment.json, az CLI shape, or
                 modulesContent) or of bare $edgeHub desired properties, as the hub would load them.
                 Prints each problem with the route, the column and a caret under it.
                 Exit status: 0 all routes valid, 1 something invalid, 2 usage error (file, JSON).
  eval           Read cases as JSON lines on stdin and write one JSON line per case, in order.
                 A case is {"condition": …, "message": …} or {"route": …, "message": …} in the
                 format of the route vectors; answers are {"match": true|false} (with "tri":
                 "undefined" when the condition was undefined, "sink" for routes, "warnings" for
                 what the hub's strict mode would refuse), {"error": "parse"|"compile", …}, or
                 {"error": "input", …} for a line that is not a case. Blank lines are skipped.

Options:
  --strict       (eval) apply the hub's strict rules: what the reference router accepts
                 silently but is a mistake (a source that matches nothing, text after the
                 sink…) is a parse error instead of a warning. Without it, eval reproduces
                 the reference router. check is always strict, like the hub.
  -h, --help     Show this help.
`;

const FLAGS = { strict: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({ args: argv, options: FLAGS, allowPositionals: true });
  const [command, ...rest] = positionals;
  if (values.help === true || command === 'help') {
    console.log(HELP);
    return 0;
  }
  if (command === 'check') {
    if (rest.length !== 1) throw new UsageError('check takes one file: edgehub routes check <file>');
    return check(rest[0]!);
  }
  if (command === 'eval') {
    if (rest.length !== 0) throw new UsageError('eval reads its cases from stdin and takes no file');
    await evaluate(values.strict === true);
    return 0;
  }
  throw new UsageError(
    command === undefined
      ? 'which command? check or eval (see --help)'
      : `unknown command "${command}"; commands: check, eval`,
  );
}

/** Where JSON.parse stopped, as line and column, from the position in its message. */
function jsonErrorAt(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  if (!m) return err.message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split('\n');
  return `${err.message.replace(/ in JSON at position \d+.*$/, '')} at line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${jsonErrorAt(text, err as Error)}`);
  }
}

function check(file: string): number {
  const doc = readJson(file);
  const found = findEdgeHubDesired(doc);
  if (found === undefined) {
    console.log(
      `${file}: no $edgeHub desired properties found (expected a deployment manifest or {"schemaVersion", "routes", …})`,
    );
    return 1;
  }
  const validated = validateEdgeHubDesired(found.value, found.path === '' ? '$edgeHub.properties.desired' : found.path);
  if (validated.issues.length > 0) console.log(formatIssues(validated.issues));
  if (!validated.ok || hasErrors(validated.issues)) {
    console.log(`${file}: the $edgeHub desired properties are invalid`);
    return 1;
  }
  const routes = validated.value.routes;
  const built = RouteTable.build(routes);
  if (built.ok) {
    console.log(`${file}: ${routes.length} route${routes.length === 1 ? '' : 's'}, all valid`);
    return 0;
  }
  for (const error of built.errors) console.log(`${error.render()}\n`);
  const bad = new Set(built.errors.map((e) => e.routeName)).size;
  console.log(`${file}: ${bad} of ${routes.length} route${routes.length === 1 ? ' is' : 's are'} invalid`);
  return 1;
}

type Answer = Record<string, unknown>;

function errorAnswer(e: RouteError): Answer {
  return { error: e.phase, code: e.code, message: e.message };
}
function warningsOf(ws: readonly RouteError[]): Answer {
  return ws.length === 0 ? {} : { warnings: ws.map((w) => ({ code: w.code, message: w.message })) };
}

/** Compiled cases by text, bounded: acceptance runs repeat the same conditions over many messages. */
class Cache<T> {
  private readonly map = new Map<string, T>();
  get(key: string, make: () => T): T {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= 1000) this.map.clear();
      v = make();
      this.map.set(key, v);
    }
    return v;
  }
}

function answer(
  c: VectorCase,
  strict: boolean,
  conditions: Cache<ReturnType<typeof compileCondition>>,
  routes: Cache<ReturnType<typeof compileRoute>>,
): Answer {
  if (c.kind === 'condition') {
    const r = conditions.get(c.condition, () => compileCondition(c.condition, { strict }));
    if (!r.ok) return errorAnswer(r.error);
    const t = r.condition.test(c.message);
    return { match: t === true, ...(t === undefined ? { tri: 'undefined' } : {}), ...warningsOf(r.condition.warnings) };
  }
  const r = routes.get(c.route, () => compileRoute({ name: 'eval', route: c.route }, { strict }));
  if (!r.ok) return errorAnswer(r.error);
  const route = r.route;
  const t = route.sourceMatches(c.message) ? route.test(c.message) : false;
  return {
    match: t === true,
    ...(t === undefined ? { tri: 'undefined' } : {}),
    sink: vectorSink(route.sink),
    ...warningsOf(route.warnings),
  };
}

function parseLine(line: string): ReturnType<typeof parseVectorCase> {
  let value: unknown;
  try {
    value = JSON.parse(line) as unknown;
  } catch (err) {
    return { ok: false, message: `not JSON: ${(err as Error).message}` };
  }
  return parseVectorCase(value);
}

async function evaluate(strict: boolean): Promise<void> {
  const conditions = new Cache<ReturnType<typeof compileCondition>>();
  const routes = new Cache<ReturnType<typeof compileRoute>>();
  let pending = '';
  const flush = async (): Promise<void> => {
    const chunk = pending;
    pending = '';
    if (chunk !== '' && !process.stdout.write(chunk))
      await new Promise((resolve) => process.stdout.once('drain', resolve));
  };
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const parsed = parseLine(line);
    const out = parsed.ok
      ? answer(parsed.case, strict, conditions, routes)
      : { error: 'input', message: parsed.message };
    pending += `${JSON.stringify(out)}\n`;
    if (pending.length > 65536) await flush();
  }
  await flush();
}
