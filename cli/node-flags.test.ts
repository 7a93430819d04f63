import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHubProcess } from '../broker/e2e/hub-process.js';
import { HUB_NODE_FLAGS, missingNodeFlags } from './node-flags.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

test('npm start passes the hub node flags', () => {
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  const start = pkg.scripts.start!.split(/\s+/);
  assert.equal(start[0], 'node');
  for (const flag of HUB_NODE_FLAGS)
    assert.ok(
      start.indexOf(flag) > 0 && start.indexOf(flag) < start.indexOf('bin/edgehub.js'),
      `package.json start lacks ${flag} before the script: ${pkg.scripts.start}`,
    );
});

test('the image sets the hub node flags in NODE_OPTIONS, for the entry point and the `edgehub` command alike', () => {
  const env = read('Dockerfile')
    .split('\n')
    .filter((l) => l.startsWith('FROM ') || /^ENV NODE_OPTIONS=/.test(l));
  // The run stage is the last FROM; NODE_OPTIONS must be set after it.
  const last = env.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  const set = env.slice(last + 1).find((l) => l.startsWith('ENV NODE_OPTIONS='));
  assert.ok(set, 'the Dockerfile run stage has no ENV NODE_OPTIONS=');
  const value = set.slice('ENV NODE_OPTIONS='.length).replace(/^"|"$/g, '');
  assert.deepEqual(missingNodeFlags(HUB_NODE_FLAGS, [], value), []);
});

test('missingNodeFlags reads the command line and NODE_OPTIONS, by flag name', () => {
  const wanted = ['--max-semi-space-size=8'];
  assert.deepEqual(missingNodeFlags(wanted, [], ''), wanted);
  assert.deepEqual(missingNodeFlags(wanted, ['--max-semi-space-size=8'], ''), []);
  assert.deepEqual(missingNodeFlags(wanted, ['--cpu-prof'], '--max-old-space-size=512 --max_semi_space_size=4'), []);
  assert.deepEqual(missingNodeFlags(wanted, ['--max-old-space-size=8'], '--import tsx'), wanted);
});

/** `edgehub start` on a fresh data folder, stopped once it has installed its signal handlers: its log lines. */
async function startEvents(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>[]> {
  const data = mkdtempSync(join(tmpdir(), 'edgehub-flags-'));
  try {
    const hub = await startHubProcess(['--data', data, '--metrics-port', '0'], 30_000, env);
    // The flag check runs between hub.started and the signal handlers; SIGTERM after it is logged as hub.stopping.
    await new Promise((r) => setTimeout(r, 500));
    hub.child.kill('SIGTERM');
    await hub.exited;
    return hub.lines;
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

test('edgehub start says which hub node flags it runs without, and is quiet with them', async () => {
  const { NODE_OPTIONS: _drop, ...env } = process.env;
  const without = await startEvents(env);
  assert.ok(
    without.some((e) => e.event === 'hub.stopping'),
    'the hub did not stop by SIGTERM',
  );
  assert.deepEqual(without.find((e) => e.event === 'hub.node_flags.missing')?.missing, [...HUB_NODE_FLAGS]);
  const withFlags = await startEvents({ ...env, NODE_OPTIONS: HUB_NODE_FLAGS.join(' ') });
  assert.ok(
    withFlags.some((e) => e.event === 'hub.stopping'),
    'the hub did not stop by SIGTERM',
  );
  assert.equal(
    withFlags.find((e) => e.event === 'hub.node_flags.missing'),
    undefined,
  );
});
