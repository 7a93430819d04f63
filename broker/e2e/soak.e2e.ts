// Soak (not in CI: EDGEHUB_SOAK=1, EDGEHUB_SOAK_MINUTES, default 20): mixed traffic for a long time, with
// configuration reloads every 30 s and a connection of some module dropped every 10 s, while the hub's RSS
// (/proc) and event-loop lag (its own nodejs_eventloop_lag_* metrics) are sampled every 10 s. It prints the
// trend, checks that nothing acknowledged was lost, and that RSS at the end is not far above where it settled.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { manifest, sleep } from './harness.js';
import { residentBytes, startHubProcess } from './hub-process.js';
import type { DeviceLogin, LeanClient } from './lean-client.js';
import { Scrape } from './scrape.js';
import { Ledger, receiver, Sender } from './traffic.js';

const ENABLED = process.env.EDGEHUB_SOAK === '1';
const MINUTES = Number(process.env.EDGEHUB_SOAK_MINUTES ?? 20);
const MiB = 1 << 20;

const MODULES = ['sensor', 'camera', 'filter', 'audit', 'archive'];
const BASE = {
  sensorToFilter: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/filter/inputs/in")',
  cameraToArchive: 'FROM /messages/modules/camera/outputs/frames INTO BrokeredEndpoint("/modules/archive/inputs/in")',
};
/** Reloads alternate: a fan-out of the sensor's messages to audit comes and goes. */
const CONFIGS = [
  manifest(MODULES, BASE),
  manifest(MODULES, {
    ...BASE,
    sensorToAudit: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/audit/inputs/in")',
  }),
];

describe('soak', { skip: ENABLED ? false : 'EDGEHUB_SOAK=1 runs it (20 minutes; EDGEHUB_SOAK_MINUTES)' }, () => {
  it(`${MINUTES} minutes of mixed traffic, reloads and reconnects`, { timeout: (MINUTES + 5) * 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgehub-soak-'));
    const configPath = join(dir, 'config.json');
    const writeConfig = (c: object) => {
      writeFileSync(`${configPath}.tmp`, JSON.stringify(c));
      renameSync(`${configPath}.tmp`, configPath);
    };
    writeConfig(CONFIGS[0]!);
    const hub = await startHubProcess(['--data', dir, '--mqtt-port', '0', '--metrics-port', '0']);
    const device = JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8')) as DeviceLogin;
    const port = () => hub.ports.mqtt!;
    const toFilter = new Ledger();
    const toArchive = new Ledger();
    const toAudit = new Ledger(); // audit gets the sensor's messages only while the fan-out is configured
    const senders = [
      new Sender({
        port,
        device,
        moduleId: 'sensor',
        output: 'out',
        ledger: toFilter,
        tag: 's',
        size: 512,
        ratePerSec: 400,
      }),
      new Sender({
        port,
        device,
        moduleId: 'camera',
        output: 'frames',
        ledger: toArchive,
        tag: 'c',
        size: 32_768,
        ratePerSec: 40,
      }),
    ].map((s) => s.start());
    const receivers = new Map<string, { ledger: Ledger; client?: LeanClient }>([
      ['filter', { ledger: toFilter }],
      ['archive', { ledger: toArchive }],
      ['audit', { ledger: toAudit }],
    ]);
    const connect = async (id: string) => {
      const r = receivers.get(id)!;
      r.client = await receiver(port(), device, id, r.ledger).catch(() => undefined);
    };
    for (const id of receivers.keys()) await connect(id);

    const samples: { min: number; rss: number; lagP99: number; lagMax: number }[] = [];
    const started = Date.now();
    let reloads = 0;
    let drops = 0;
    try {
      for (let tick = 1; Date.now() - started < MINUTES * 60_000 && tick < 100_000; tick++) {
        await sleep(10_000);
        // Every 10 s one connection drops (a receiver reconnects at once, a sender after its pause), every 30 s a reload.
        const ids = [...receivers.keys()];
        const id = ids[tick % ids.length]!;
        receivers.get(id)!.client?.destroy();
        await connect(id);
        drops++;
        if (tick % 3 === 0) {
          writeConfig(CONFIGS[(tick / 3) % 2]!);
          reloads++;
        }
        const scrape = await Scrape.from(hub.ports.metrics!);
        const sample = {
          min: (Date.now() - started) / 60_000,
          rss: residentBytes(hub.child.pid!) ?? 0,
          lagP99: scrape.value('nodejs_eventloop_lag_p99_seconds') * 1000,
          lagMax: scrape.value('nodejs_eventloop_lag_max_seconds') * 1000,
        };
        samples.push(sample);
        console.log(
          `soak ${sample.min.toFixed(1)} min: RSS ${(sample.rss / MiB).toFixed(0)} MB, event-loop lag p99 ${sample.lagP99.toFixed(1)} ms, max ${sample.lagMax.toFixed(1)} ms; acked ${toFilter.acked.size + toArchive.acked.size}`,
        );
      }
    } finally {
      for (const s of senders) await s.stop();
    }
    const lostFilter = await toFilter.waitForAll(60_000);
    const lostArchive = await toArchive.waitForAll(60_000);
    for (const r of receivers.values()) r.client?.destroy();
    hub.child.kill('SIGTERM');
    const exit = await hub.exited;
    rmSync(dir, { recursive: true, force: true });

    // Trend: RSS after the first quarter (warmed up) against the end.
    const settled = samples[Math.floor(samples.length / 4)]?.rss ?? 0;
    const last = samples[samples.length - 1]?.rss ?? 0;
    const worstLag = Math.max(0, ...samples.map((s) => s.lagMax));
    console.log(
      `soak: ${MINUTES} min, ${reloads} reloads, ${drops} dropped connections; acked ${toFilter.acked.size + toArchive.acked.size}, ` +
        `lost ${lostFilter + lostArchive}, duplicates ${toFilter.duplicates + toArchive.duplicates}; ` +
        `RSS ${(settled / MiB).toFixed(0)} MB settled → ${(last / MiB).toFixed(0)} MB at the end; worst event-loop lag ${worstLag.toFixed(1)} ms`,
    );
    assert.equal(exit.code, 0, 'SIGTERM drains and exits 0');
    assert.equal(lostFilter + lostArchive, 0, 'nothing acknowledged is lost');
    assert.ok(last < settled * 1.5 + 32 * MiB, 'RSS does not keep growing');
  });
});
