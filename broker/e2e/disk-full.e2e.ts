// Disk full and read-only: the data folder on a small tmpfs (tests run as root; where mount is not permitted
// the suite is skipped, saying why). A module publishes into a backlog until the file system is full. The hub
// must say so clearly, withhold acknowledgements (never a PUBACK for a message that did not commit), keep
// running, and take messages again when space returns; a restart while the disk is still full must come up
// (no crash loop) and drain; a read-only folder is refused at start with a clear line. Every acknowledged
// message reaches the receiver in the end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { manifest, sleep } from './harness.js';
import { startHubProcess, spawnHubProcess, type HubProcess } from './hub-process.js';
import { makeImmutable } from './immutable.js';
import type { DeviceLogin } from './lean-client.js';
import { Ledger, receiver, Sender } from './traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'edgehub-disk-'));
let mounted: string | undefined;
let cannotMount = '';

function mount(options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
}

function remount(options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, dir], { stdio: 'pipe' });
}

before(() => {
  try {
    mount('size=8m');
    mounted = dir;
  } catch (err) {
    cannotMount = `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]}); run as root where mount is permitted`;
  }
});

after(() => {
  if (mounted) execFileSync('umount', ['-l', mounted]);
  rmSync(dir, { recursive: true, force: true });
});

/** Takes whatever space is left on the tmpfs with one file. */
function fill(): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=64k', 'count=4096'], { stdio: 'pipe' });
  } catch {
    // dd stops with ENOSPC: that is the point
  }
}

function skipUnlessMounted(t: TestContext): boolean {
  if (mounted) return false;
  t.skip(cannotMount);
  return true;
}

const readDevice = () => JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8')) as DeviceLogin;
const args = ['--data', dir, '--mqtt-port', '0', '--metrics-port', '0'];

async function readyz(hub: HubProcess): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://127.0.0.1:${hub.ports.metrics}/readyz`);
  return { status: r.status, text: await r.text() };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

describe('disk full and read-only data folder', () => {
  const ledger = new Ledger();

  it('disk full: a clear error, acknowledgements withheld, the hub keeps running and recovers when space returns', async (t) => {
    if (skipUnlessMounted(t)) return;
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify(
        manifest(['sensor', 'filter'], {
          r: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/filter/inputs/in")',
        }),
      ),
    );
    const hub = await startHubProcess(args);
    let exited = false;
    void hub.exited.then(() => (exited = true));
    const device = readDevice();
    const sender = new Sender({
      port: () => hub.ports.mqtt!,
      device,
      moduleId: 'sensor',
      output: 'out',
      ledger,
      tag: 'full',
      size: 4096,
    }).start();
    try {
      const failures = () => hub.lines.filter((l) => l.event === 'store.commit.failed');
      await until('a failed commit (the disk full)', () => failures().length > 0, 30_000);
      const msg = String(failures()[0]!.msg);
      assert.match(msg, /full/i, `the error says the disk is full: ${msg}`);
      // While full, acknowledgements stop. The first failed commit can be transient: when the WAL starts over
      // after it, new commits reuse the WAL file's space, so a few hundred more messages can commit (durably:
      // the ledger checks at the end that none is lost). So look for the steady state: commits still failing
      // and next to no acknowledgement in a 2 s window.
      const ackedAtFull = ledger.acked.size;
      const steadyBy = Date.now() + 20_000;
      let ackedWhileFull = Number.POSITIVE_INFINITY;
      let windows = 0;
      while (Date.now() < steadyBy) {
        const [acked0, failed0] = [ledger.acked.size, failures().length];
        await sleep(2000);
        windows++;
        ackedWhileFull = ledger.acked.size - acked0;
        if (failures().length > failed0 && ackedWhileFull < 50) break;
      }
      const ready = await readyz(hub);
      console.log(
        `disk full: ${ackedAtFull} acknowledged before the first failed commit, ${ackedWhileFull} in the last of ${windows} 2 s windows after it; readyz ${ready.status}: ${ready.text.trim()}`,
      );
      assert.equal(ready.status, 503, 'not ready while the store cannot commit');
      assert.ok(ackedWhileFull < 50, `acknowledgements are withheld while the disk is full (${ackedWhileFull})`);
      // A receiver subscribing now writes its subscription: that too must fail without taking the hub down.
      const late = await receiver(hub.ports.mqtt!, device, 'filter', ledger).catch((err: Error) => err);
      if (!(late instanceof Error)) late.destroy();
      await sleep(300);
      assert.equal(exited, false, `the hub is still running after a SUBSCRIBE on a full disk\n${hub.stderr()}`);

      remount('size=64m');
      const ackedBefore = ledger.acked.size;
      await until(
        'acknowledgements again once space returned',
        () => ledger.acked.size > ackedBefore + 100,
        20_000,
      ).catch((err: Error) => {
        const events = hub.lines.slice(-8).map((l) => `${String(l.event)}: ${String(l.msg)}`);
        throw new Error(
          `${err.message}; sender connections ${sender.connections}, failed ${sender.failedConnects} (${sender.lastError})\n${events.join('\n')}`,
        );
      });
      await until('ready again', async () => (await readyz(hub)).status === 200, 10_000);
    } finally {
      await sender.stop();
      hub.child.kill('SIGTERM');
    }
    const stop = await hub.exited;
    assert.equal(stop.code, 0, 'SIGTERM drains and exits 0');
  });

  it('killed while the disk is full, the hub starts again on it (no crash loop) and delivers what it stored', async (t) => {
    if (skipUnlessMounted(t)) return;
    const hub = await startHubProcess(args);
    const device = readDevice();
    // The receiver's session holds its subscription from before the disk filled up, as a module's does.
    await (await receiver(hub.ports.mqtt!, device, 'filter', ledger)).end();
    const sender = new Sender({
      port: () => hub.ports.mqtt!,
      device,
      moduleId: 'sensor',
      output: 'out',
      ledger,
      tag: 'kill',
      size: 4096,
    }).start();
    try {
      await until('acknowledgements', () => [...ledger.acked].some((k) => k.startsWith('kill-')), 10_000);
      fill();
      const failedBefore = hub.lines.filter((l) => l.event === 'store.commit.failed').length;
      await until(
        'a failed commit',
        () => hub.lines.filter((l) => l.event === 'store.commit.failed').length > failedBefore,
        20_000,
      );
    } finally {
      hub.child.kill('SIGKILL');
      await sender.stop();
    }
    await hub.exited;
    const again = spawnHubProcess(args);
    try {
      const ports = await again.started;
      const filter = await receiver(ports.mqtt!, device, 'filter', ledger);
      const missing = await ledger.waitForAll(30_000);
      filter.destroy();
      console.log(`restart on a full disk: ${ledger.acked.size} acknowledged so far, ${missing} not delivered`);
      assert.deepEqual(
        ledger.lost().slice(0, 5),
        [],
        `${missing} acknowledged messages not delivered after a restart on a full disk`,
      );
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
      rmSync(join(dir, 'filler'), { force: true });
    }
  });

  it('a read-only data folder is refused at start with one clear line, and nothing is lost once writable', async (t) => {
    if (skipUnlessMounted(t)) return;
    // A few more messages stored for the receiver, then the folder turns read-only with the hub down.
    const before = await startHubProcess(args);
    const sender = new Sender({
      port: () => before.ports.mqtt!,
      device: readDevice(),
      moduleId: 'sensor',
      output: 'out',
      ledger,
      tag: 'ro',
      window: 8,
    }).start();
    await until('acknowledgements', () => [...ledger.acked].some((k) => k.startsWith('ro-')), 10_000);
    await sender.stop();
    before.child.kill('SIGKILL');
    await before.exited;
    remount('ro');
    try {
      const hub = spawnHubProcess(args);
      const failed = await hub.started.then(
        () => undefined,
        (err: Error) => err,
      );
      const exit = await hub.exited;
      if (!failed) hub.child.kill('SIGTERM');
      assert.ok(failed, 'a read-only data folder is refused');
      assert.equal(exit.code, 1);
      const fatal = hub.lines.find((l) => l.event === 'hub.start.failed');
      assert.match(String(fatal?.msg), /not writable/);
    } finally {
      remount('rw');
    }
    const hub = await startHubProcess(args);
    try {
      const filter = await receiver(hub.ports.mqtt!, readDevice(), 'filter', ledger);
      const missing = await ledger.waitForAll(30_000);
      await filter.end();
      console.log(
        `disk full and read-only: acked ${ledger.acked.size}, lost ${ledger.lost().length}, duplicates ${ledger.duplicates}`,
      );
      assert.deepEqual(ledger.lost().slice(0, 10), [], `${missing} acknowledged messages lost`);
      assert.deepEqual(ledger.unknown().slice(0, 5), []);
    } finally {
      hub.child.kill('SIGTERM');
      await hub.exited;
    }
  });

  it('store files turning read-only while running (chattr +i): a clear error, no acknowledgements, recovery after', async (t) => {
    // On the machine's own file system: tmpfs lets writes through descriptors opened before chattr +i, and a
    // remount read-only is refused while the store holds its files open for writing.
    const roDir = mkdtempSync(join(tmpdir(), 'edgehub-ro-'));
    t.after(() => rmSync(roDir, { recursive: true, force: true }));
    writeFileSync(join(roDir, 'config.json'), readFileSync(join(dir, 'config.json')));
    const hub = await startHubProcess(['--data', roDir, '--mqtt-port', '0', '--metrics-port', '0']);
    t.after(() => hub.child.kill('SIGKILL')); // when an assertion fails first; a no-op after SIGTERM
    let exited = false;
    void hub.exited.then(() => (exited = true));
    const device = JSON.parse(readFileSync(join(roDir, 'device.json'), 'utf8')) as DeviceLogin;
    const own = new Ledger();
    const sender = new Sender({
      port: () => hub.ports.mqtt!,
      device,
      moduleId: 'sensor',
      output: 'out',
      ledger: own,
      tag: 'ro',
      window: 8,
    }).start();
    try {
      await until('acknowledgements', () => own.acked.size > 50, 10_000);
      const files = ['store.db', 'store.db-wal'].map((f) => join(roDir, f)).filter((f) => existsSync(f));
      const undo = makeImmutable(t, files, 'cannot make the store read-only');
      if (!undo) return;
      let ackedWhileReadOnly: number;
      try {
        const failures = () => hub.lines.filter((l) => l.event === 'store.commit.failed');
        await until('a failed commit', () => failures().length > 0, 20_000);
        const ackedAt = own.acked.size;
        await sleep(1000);
        ackedWhileReadOnly = own.acked.size - ackedAt;
        console.log(`read-only store: ${String(failures()[0]!.msg)}; ${ackedWhileReadOnly} acknowledged in 1 s after`);
      } finally {
        undo();
      }
      assert.ok(ackedWhileReadOnly < 20, `acknowledgements withheld while read-only (${ackedWhileReadOnly})`);
      assert.equal(exited, false, `the hub is still running\n${hub.stderr()}`);
      const ackedBefore = own.acked.size;
      await until('acknowledgements once writable again', () => own.acked.size > ackedBefore + 50, 20_000);
    } finally {
      await sender.stop();
    }
    const filter = await receiver(hub.ports.mqtt!, device, 'filter', own);
    const missing = await own.waitForAll(30_000);
    await filter.end();
    console.log(`read-only store: acked ${own.acked.size}, lost ${missing}, duplicates ${own.duplicates}`);
    assert.deepEqual(own.lost().slice(0, 10), [], `${missing} acknowledged messages lost`);
    hub.child.kill('SIGTERM');
    assert.equal((await hub.exited).code, 0);
  });
});
