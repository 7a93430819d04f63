import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dataFolder, loadOrCreateTls } from './data-folder.js';

describe('data folder TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgehub-folder-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the server certificate across starts (an IPv6 name reads back as 0:0:0:0:0:0:0:1)', () => {
    const folder = dataFolder(dir);
    const first = loadOrCreateTls(folder, ['edgehub.example', 'fd00::10']);
    assert.ok(first.created.length > 0);
    const second = loadOrCreateTls(folder, ['edgehub.example', 'fd00::10']);
    assert.deepEqual(second.created, [], 'nothing is issued again');
    assert.equal(second.server.cert, first.server.cert);
    const renamed = loadOrCreateTls(folder, ['other.example']);
    assert.deepEqual(renamed.created, [join(dir, 'server.pem')], 'a missing name still gets a new certificate');
  });
});
