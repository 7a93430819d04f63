// `edgehub routes` run for real, as a user or an acceptance harness would: a child process, stdin, exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const BIN = new URL('../bin/edgehub.js', import.meta.url).pathname;

function edgehub(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

interface Vector {
  condition?: string;
  route?: string;
  expect?: boolean | 'compile-error';
  tri?: string;
  expectMatch?: boolean;
  sink?: unknown;
  expectError?: 'parse' | 'compile';
}
function vectors(name: string): Vector[] {
  return JSON.parse(readFileSync(new URL(`../routing/testdata/${name}`, import.meta.url), 'utf8')) as Vector[];
}

describe('edgehub routes eval', () => {
  it('agrees with every shared vector (the acceptance criterion)', async () => {
    const all = [...vectors('conditions.json'), ...vectors('routes.json')];
    assert.equal(all.length, 158);
    const input = [...all.map((v) => JSON.stringify(v)), 'not json', '{"message": {}}', ''].join('\n');
    const { code, stdout, stderr } = await edgehub(['routes', 'eval'], input);
    assert.equal(code, 0, stderr);
    const answers = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(answers.length, all.length + 2);
    all.forEach((v, i) => {
      const a = answers[i]!;
      const name = `#${i} ${v.condition ?? v.route ?? ''}: ${JSON.stringify(a)}`;
      if (v.condition !== undefined) {
        if (v.expect === 'compile-error') assert.ok(a.error === 'parse' || a.error === 'compile', name);
        else {
          assert.equal(a.match, v.expect, name);
          assert.equal(a.tri, v.tri, name);
        }
      } else if (v.expectError !== undefined) {
        assert.equal(a.error, v.expectError, name);
      } else {
        assert.equal(a.match, v.expectMatch, name);
        assert.deepEqual(a.sink, v.sink, name);
      }
    });
    assert.equal(answers[all.length]!.error, 'input');
    assert.deepEqual(answers[all.length + 1], {
      error: 'input',
      message: 'a case needs a string "condition" or "route"',
    });
  });

  it('applies the hub’s strict rules with --strict, and lists them as warnings without', async () => {
    const input = JSON.stringify({
      route: 'FROM /foo/* INTO $upstream',
      message: { kind: 'telemetry', deviceId: 'd', moduleId: null, output: null },
    });
    const reference = await edgehub(['routes', 'eval'], input);
    const strict = await edgehub(['routes', 'eval', '--strict'], input);
    const r = JSON.parse(reference.stdout) as { match: boolean; warnings: { code: string }[] };
    assert.equal(r.match, false);
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['EH_ROUTE_SOURCE'],
    );
    assert.equal((JSON.parse(strict.stdout) as { code: string }).code, 'EH_ROUTE_SOURCE');
  });

  it('handles thousands of cases in one process', async () => {
    const line = JSON.stringify({
      condition: "as_number(n) > 3 AND $body.t = 'x'",
      message: { properties: { n: '5' }, body: { t: 'x' }, contentType: 'application/json', contentEncoding: 'utf-8' },
    });
    const n = 5000;
    const started = Date.now();
    const { code, stdout } = await edgehub(['routes', 'eval'], `${line}\n`.repeat(n));
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, n);
    assert.ok(lines.every((l) => l === '{"match":true}'));
    assert.ok(Date.now() - started < 30_000);
  });
});

describe('edgehub routes check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgehub-routes-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  const desired = (routes: Record<string, unknown>) => ({
    schemaVersion: '1.1',
    routes,
    storeAndForwardConfiguration: { timeToLiveSecs: 7200 },
  });

  it('accepts a whole deployment manifest whose routes are valid (exit 0)', async () => {
    const path = file('good.json', {
      modulesContent: {
        $edgeAgent: { 'properties.desired': {} },
        $edgeHub: {
          'properties.desired': desired({
            up: 'FROM /messages/modules/filter/outputs/* INTO $upstream',
            hot: {
              route:
                'FROM /messages/modules/sensor/* WHERE $body.t > 30 INTO BrokeredEndpoint("/modules/filter/inputs/in1")',
              priority: 0,
            },
          }),
        },
      },
    });
    const { code, stdout } = await edgehub(['routes', 'check', path]);
    assert.equal(code, 0);
    assert.equal(stdout, `${path}: 2 routes, all valid\n`);
  });

  it('prints each bad route with its column, a caret and the cause (exit 1)', async () => {
    const path = file(
      'bad.json',
      desired({
        ok: 'FROM /* INTO $upstream',
        alerts: 'FROM /messages/* WHERE temperature > 30 INTO $upstream',
        events: 'FROM /messages/events INTO $upstream',
      }),
    );
    const { code, stdout } = await edgehub(['routes', 'check', path]);
    assert.equal(code, 1);
    assert.equal(
      stdout,
      [
        'route "alerts", column 24: application properties are strings: write as_number(temperature) > 30 [EH_ROUTE_TYPE]',
        '  FROM /messages/* WHERE temperature > 30 INTO $upstream',
        '                         ^~~~~~~~~~~',
        '',
        'route "events", column 6: /messages/events matches no message: /messages/events is part of the MQTT topic, not a route source; write FROM /messages/* for all messages [EH_ROUTE_SOURCE]',
        '  FROM /messages/events INTO $upstream',
        '       ^~~~~~~~~~~~~~~~',
        '',
        `${path}: 2 of 3 routes are invalid`,
        '',
      ].join('\n'),
    );
  });

  it('reports manifest problems with their JSON path (exit 1)', async () => {
    const path = file('invalid.json', desired({ p: { route: 'FROM /* INTO $upstream', priority: 12 } }));
    const { code, stdout } = await edgehub(['routes', 'check', path]);
    assert.equal(code, 1);
    assert.match(
      stdout,
      /^\$edgeHub\.properties\.desired\.routes\.p\.priority: priority must be an integer from 0 \(highest\) to 9/,
    );
  });

  it('is a usage error (exit 2) for a missing file, bad JSON (with where), or no file', async () => {
    const missing = await edgehub(['routes', 'check', join(dir, 'nope.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.json: ENOENT/);
    const broken = await edgehub(['routes', 'check', file('broken.json', '{\n  "routes": {,}\n}')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /is not valid JSON: .* at line 2, column 14/);
    assert.equal((await edgehub(['routes', 'check'])).code, 2);
    assert.equal((await edgehub(['routes', 'frobnicate'])).code, 2);
  });

  it('has --help', async () => {
    const { code, stdout } = await edgehub(['routes', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: edgehub routes <command>/);
  });
});
