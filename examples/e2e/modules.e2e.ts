// The example modules, unchanged, against a real hub running examples/deployment.json: the sensor's readings
// reach the filter (route sensorToFilter), and what the filter forwards is queued for $upstream (route
// filterToUpstream, no upstream link here). Everything runs on 127.0.0.1, with free ports, and is stopped by PID.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHubProcess, type HubProcess } from '../../broker/e2e/hub-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/edgehub.js');

/** EdgeHubConnectionString and EdgeModuleCACertificateFile of a module, as `edgehub connection-string --export`. */
function moduleEnv(data: string, moduleId: string, port: number): Record<string, string> {
  const r = spawnSync(
    process.execPath,
    [BIN, 'connection-string', moduleId, '--data', data, '--gateway-host', `127.0.0.1:${port}`, '--export'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries([...r.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
}

interface ModuleProcess {
  readonly child: ChildProcess;
  output: string;
}

function startModule(name: string, env: Record<string, string>): ModuleProcess {
  const child = spawn(process.execPath, [join(ROOT, `examples/modules/${name}/index.js`)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const m: ModuleProcess = { child, output: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (m.output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (m.output += d));
  return m;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('examples/modules against a hub running examples/deployment.json', () => {
  const data = mkdtempSync(join(tmpdir(), 'edgehub-examples-'));
  const children: ChildProcess[] = [];
  let hub: HubProcess | undefined;
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (hub && hub.child.exitCode === null) {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
    rmSync(data, { recursive: true, force: true });
  });

  it('sensor → filter → $upstream', { timeout: 60_000 }, async () => {
    hub = await startHubProcess([
      '--data',
      data,
      '--config',
      join(ROOT, 'examples/deployment.json'),
      '--metrics-port',
      '0',
    ]);
    const port = hub.ports.mqtts;
    // Every reading is forwarded (threshold far below), ten readings a second, at most 50.
    const filter = startModule('filter', { ...moduleEnv(data, 'filter', port), TEMPERATURE_THRESHOLD: '-1000' });
    children.push(filter.child);
    await until('the filter to connect', () => filter.output.includes('filter: connected'));
    const sensor = startModule('sensor', {
      ...moduleEnv(data, 'sensor', port),
      SEND_INTERVAL_MS: '100',
      MESSAGE_COUNT: '50',
    });
    children.push(sensor.child);

    await until('three readings through the filter', () => (filter.output.match(/to output1/g) ?? []).length >= 3);
    assert.match(sensor.output, /sensor: sent #0 temperature=/);
    assert.match(filter.output, /filter: received reading-0 temperature=/);
    assert.doesNotMatch(filter.output + sensor.output, /error|failed/i);

    // The forwarded readings wait for $upstream (filterToUpstream, priority 0).
    const metricsUrl = `http://127.0.0.1:${hub.ports.metrics}/metrics`;
    await until('a queued $upstream message', async () => {
      const text = await (await fetch(metricsUrl)).text();
      const m = /^edgehub_queue_length\{[^}]*endpoint="\$upstream"[^}]*priority="0"[^}]*\} (\d+)/m.exec(text);
      return m !== null && Number(m[1]) >= 1;
    });
  });
});
