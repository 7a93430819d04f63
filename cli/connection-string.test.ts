import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deriveDeviceKey, deriveModuleKey } from '../manifest/index.js';
import { dataFolder, loadOrCreateDevice } from '../broker/local/data-folder.js';

const BIN = new URL('../bin/edgehub.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'edgehub-cs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { device } = loadOrCreateDevice(dataFolder(dir));
const run = (...args: string[]) =>
  execFileSync(process.execPath, [BIN, 'connection-string', '--data', dir, ...args], { encoding: 'utf8' }).trim();

describe('edgehub connection-string', () => {
  it("prints a module's connection string with its derived key", () => {
    assert.equal(
      run('sensor', '--gateway-host', 'edgehub'),
      `HostName=${device.iothubHostName};GatewayHostName=edgehub;DeviceId=${device.deviceId};ModuleId=sensor;SharedAccessKey=${deriveModuleKey(device.deviceKey, 'sensor')}`,
    );
  });

  it("prints a leaf device's connection string with the device-derived key", () => {
    assert.equal(
      run('--device', 'leaf1'),
      `HostName=${device.iothubHostName};DeviceId=leaf1;SharedAccessKey=${deriveDeviceKey(device.deviceKey, 'leaf1')};GatewayHostName=localhost`,
    );
    const both = spawnSync(process.execPath, [BIN, 'connection-string', '--data', dir, '--device', 'leaf1', 'sensor'], {
      encoding: 'utf8',
    });
    assert.notEqual(both.status, 0);
    assert.match(both.stderr, /--device takes no module id/);
  });
});
