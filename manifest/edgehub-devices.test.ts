import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDeviceKey, validateEdgeHubDesired } from './index.js';

const desired = (edgehubDevices: unknown) => ({
  schemaVersion: '1.1',
  routes: {},
  storeAndForwardConfiguration: { timeToLiveSecs: 60 },
  edgehubDevices,
});

describe('edgehubDevices', () => {
  it('takes devices with derived and explicit keys; none when absent', () => {
    const key = generateDeviceKey();
    const r = validateEdgeHubDesired(desired({ leaf1: {}, 'child-edge': { symmetricKey: key } }));
    assert.ok(r.ok);
    assert.deepEqual(r.value.devices, [{ deviceId: 'leaf1' }, { deviceId: 'child-edge', symmetricKey: key }]);
    const none = validateEdgeHubDesired(desired(undefined));
    assert.ok(none.ok);
    assert.deepEqual(none.value.devices, []);
  });

  it('refuses, with a path and the fix, what is not a device list', () => {
    const r = validateEdgeHubDesired(
      desired({ 'a/b': {}, leaf: 'key', k: { symmetricKey: 'short' }, x: { key: generateDeviceKey() } }),
    );
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.issues.map((i) => i.path),
      [
        '$edgeHub.properties.desired.edgehubDevices["a/b"]',
        '$edgeHub.properties.desired.edgehubDevices.leaf',
        '$edgeHub.properties.desired.edgehubDevices.k.symmetricKey',
        '$edgeHub.properties.desired.edgehubDevices.x.key',
      ],
    );
    assert.match(r.issues[0]!.message, /not a device id/);
    assert.match(r.issues[2]!.message, /base64 of 16 to 64 bytes/);
    const list = validateEdgeHubDesired(desired(['leaf1']));
    assert.match(list.issues[0]!.message, /must be an object of device id/);
  });
});
