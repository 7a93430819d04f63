// Startup fails fast, with one clear line, when a port is taken or the data folder cannot be written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { makeImmutable } from './immutable.js';

const BIN = fileURLToPath(new URL('../../bin/edgehub.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'edgehub-lifecycle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function start(args: string[]) {
  const r = spawnSync(
    process.execPath,
    [BIN, 'start', '--host', '127.0.0.1', '--amqps-port', '0', '--https-port', 'off', '--log-format', 'json', ...args],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  const fatal = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; event?: string })
    .find((l) => l.event === 'hub.start.failed');
  return { status: r.status, fatal, output: r.stdout + r.stderr };
}

describe('startup', () => {
  it('fails with exit 1 and names the port when the MQTT port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = start(['--data', join(dir, 'a'), '--mqtts-port', String(port), '--metrics-port', '0']);
      assert.equal(r.status, 1, r.output);
      assert.match(r.fatal?.msg ?? '', new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('fails with exit 1 when the data folder cannot be written', (t) => {
    const data = join(dir, 'frozen');
    mkdirSync(data);
    const undo = makeImmutable(t, [data], 'cannot make the data folder unwritable');
    if (!undo) return;
    try {
      const r = start(['--data', data, '--mqtts-port', '0', '--metrics-port', '0']);
      assert.equal(r.status, 1, r.output);
      assert.match(r.fatal?.msg ?? '', new RegExp(`data folder ${data} is not writable`));
    } finally {
      undo();
    }
  });

  it('fails with exit 1 when the data folder is not a folder', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const r = start(['--data', file, '--mqtts-port', '0', '--metrics-port', '0']);
    assert.equal(r.status, 1, r.output);
    assert.match(r.fatal?.msg ?? '', /is not writable/);
  });

  it('refuses bad flags with exit 2 and the usage problem', () => {
    const r = spawnSync(process.execPath, [BIN, 'start', '--mqtts-port', 'eighty'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--mqtts-port must be a port number/);
  });
});
