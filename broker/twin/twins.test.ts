import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Message } from '../core/message.js';
import { silentLogger } from '../log.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { diffPatch, mergePatch, patchProblem, type TwinObject } from './document.js';
import { Twins } from './twins.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
after(async () => {
  await Promise.all(stores.map((s) => s.shutdown()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true, maxRetries: 5 }));
});
function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgehub-twin-'));
  dirs.push(dir);
  return join(dir, 'store.db');
}
function openStore(path: string): SqliteStore {
  const s = new SqliteStore({ path, checkpoints: 'automatic' });
  stores.push(s);
  return s;
}
const mod = { deviceId: 'dev', moduleId: 'm1', id: 'dev/m1' };

describe('twin documents', () => {
  it('merges patches: objects key by key, null deletes, arrays and scalars replace', () => {
    const doc: TwinObject = { a: 1, b: { c: 2, d: 3 }, e: [1, 2] };
    assert.deepEqual(mergePatch(doc, { a: null, b: { c: null, x: 'y' }, e: [3], n: { deep: { er: true } } }), {
      b: { d: 3, x: 'y' },
      e: [3],
      n: { deep: { er: true } },
    });
    assert.deepEqual(doc, { a: 1, b: { c: 2, d: 3 }, e: [1, 2] }, 'the original is untouched');
  });

  it('diffs two documents into the patch that merges one into the other', () => {
    const from: TwinObject = { a: 1, b: { c: 2, d: 3 }, gone: 'x', same: [1] };
    const to: TwinObject = { a: 2, b: { c: 2 }, same: [1], added: { k: 'v' } };
    const patch = diffPatch(from, to);
    assert.deepEqual(patch, { gone: null, a: 2, b: { d: null }, added: { k: 'v' } });
    assert.deepEqual(mergePatch(from, patch), to);
    assert.deepEqual(diffPatch(to, to), {});
  });

  it('refuses what IoT Hub refuses, naming the path', () => {
    assert.equal(patchProblem({ ok: { nested: [1, 'x', null] } }), undefined);
    assert.match(patchProblem([1]) ?? '', /must be a JSON object, got an array/);
    assert.match(patchProblem('x') ?? '', /got string/);
    assert.match(patchProblem({ 'a.b': 1 }) ?? '', /key "a.b"/);
    assert.match(patchProblem({ a: { $version: 1 } }) ?? '', /key "a.\$version"/);
    assert.match(patchProblem({ 'sp ace': 1 }) ?? '', /spaces/);
    assert.match(patchProblem({ s: 'x'.repeat(5000) }) ?? '', /s: string over 4096 bytes/);
    let deep: TwinObject = { leaf: 1 };
    for (let i = 0; i < 11; i++) deep = { n: deep };
    assert.match(patchProblem(deep) ?? '', /deeper than 10 levels/);
  });
});

describe('Twins', () => {
  it('keeps reported patches (merged, versioned) across a restart, and routes each as a notification', () => {
    const path = storePath();
    const notes: Message[] = [];
    const twins = new Twins(openStore(path), 'dev', silentLogger(), { notify: (m) => notes.push(m) });
    assert.deepEqual(twins.get('dev/m1'), { desired: { $version: 1 }, reported: { $version: 1 } });
    assert.deepEqual(twins.patchReported(mod, Buffer.from('{"a":1,"b":{"c":2}}')), { ok: true, version: 2 });
    assert.deepEqual(twins.patchReported(mod, Buffer.from('{"a":null,"b":{"d":3}}')), { ok: true, version: 3 });
    assert.deepEqual(twins.get('dev/m1').reported, { b: { c: 2, d: 3 }, $version: 3 });
    assert.equal(notes.length, 2);
    assert.equal(notes[1]!.body.toString(), '{"a":null,"b":{"d":3}}');
    assert.deepEqual(
      {
        ...notes[1]!.systemProperties,
        enqueuedTime: undefined,
      },
      {
        messageType: 'twinChangeNotification',
        messageSchema: 'twinChangeNotification',
        enqueuedTime: undefined,
        connectionDeviceId: 'dev',
        connectionModuleId: '$edgeHub',
        rpSenderDeviceId: 'dev',
        rpSenderModuleId: 'm1',
      },
    );
    stores.pop()!.close();
    const again = new Twins(openStore(path), 'dev', silentLogger());
    assert.deepEqual(again.get('dev/m1').reported, { b: { c: 2, d: 3 }, $version: 3 });
  });

  it('refuses bad patches with a status and a reason, and changes nothing', () => {
    const notes: Message[] = [];
    const twins = new Twins(openStore(storePath()), 'dev', silentLogger(), { notify: (m) => notes.push(m) });
    const bad = (body: string) => twins.patchReported(mod, Buffer.from(body));
    assert.deepEqual(
      [bad('not json'), bad('[1]'), bad('{"a.b":1}'), bad(JSON.stringify({ x: 'y'.repeat(40_000) }))].map((r) =>
        r.ok ? 'ok' : r.status,
      ),
      [400, 400, 400, 413],
    );
    assert.match((bad('{"$version":3}') as { message: string }).message, /key "\$version"/);
    // Many small patches that together pass the document limit.
    for (let i = 0; i < 8; i++) assert.equal(bad(JSON.stringify({ [`k${i}`]: 'v'.repeat(4000) })).ok, true);
    const over = bad(JSON.stringify({ k9: 'v'.repeat(4000) }));
    assert.equal(over.ok ? 0 : over.status, 413);
    assert.equal(twins.get('dev/m1').reported.$version, 9);
    assert.equal(notes.length, 8);
  });

  it('versions desired properties from the configuration; watchers get patches, late ones catch up', () => {
    const path = storePath();
    const twins = new Twins(openStore(path), 'dev', silentLogger());
    assert.deepEqual(twins.applyConfiguration({ m1: { speed: 1, mode: 'a', $version: 99 }, m2: {} }), ['dev/m1']);
    assert.deepEqual(twins.get('dev/m1').desired, { speed: 1, mode: 'a', $version: 2 });
    const got: TwinObject[] = [];
    const stop = twins.watch('dev/m1', (p) => got.push(p));
    assert.deepEqual(twins.applyConfiguration({ m1: { speed: 1, mode: 'a' } }), [], 'unchanged: same version');
    twins.applyConfiguration({ m1: { speed: 2 } });
    assert.deepEqual(got, [{ mode: null, speed: 2, $version: 3 }] as TwinObject[]);
    stop();
    // Offline: two changes; back: one patch from what it saw to now.
    twins.applyConfiguration({ m1: { speed: 3, extra: { x: 1 } } });
    twins.applyConfiguration({ m1: { speed: 4, extra: { x: 1 } } });
    assert.equal(got.length, 1);
    twins.watch('dev/m1', (p) => got.push(p));
    assert.deepEqual(got[1], { speed: 4, extra: { x: 1 }, $version: 5 });
    // A module dropped from the manifest's twins is emptied.
    twins.applyConfiguration({});
    assert.deepEqual(got[2], { speed: null, extra: null, $version: 6 });
    stores.pop()!.close();
    // A restart with the same configuration keeps the version.
    const again = new Twins(openStore(path), 'dev', silentLogger());
    assert.deepEqual(again.applyConfiguration({}), []);
    assert.deepEqual(again.get('dev/m1').desired, { $version: 6 });
  });
});
