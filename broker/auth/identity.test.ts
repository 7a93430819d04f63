import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveDeviceKey, deriveModuleKey, generateDeviceKey } from '../../manifest/index.js';
import { authenticate, authenticateToken, type Credentials } from './identity.js';
import { createSasToken, parseSasToken } from './sas.js';

const deviceKey = generateDeviceKey();
const creds: Credentials = {
  deviceId: 'dev',
  deviceKey,
  hostNames: new Set(['hub.example.net', 'edgehub']),
  modules: new Set(['sensor']),
};
const now = 1_800_000_000;
const user = (clientId: string) =>
  `hub.example.net/${clientId}/?api-version=2021-04-12&DeviceClientType=azure-iot-device%2F1.18.4`;
const moduleToken = (
  moduleId: string,
  key = deriveModuleKey(deviceKey, moduleId),
  expiry = now + 3600,
  host = 'hub.example.net',
) => createSasToken(`${host}/devices/dev/modules/${moduleId}`, key, expiry);

describe('authenticate', () => {
  it('accepts a module token signed with the derived key', () => {
    const r = authenticate(creds, 'dev/sensor', user('dev/sensor'), moduleToken('sensor'), now);
    assert.deepEqual(r, { ok: true, identity: { deviceId: 'dev', moduleId: 'sensor', id: 'dev/sensor' } });
  });

  it('accepts the device itself with the device key', () => {
    const r = authenticate(creds, 'dev', user('dev'), createSasToken('edgehub/devices/dev', deviceKey, now + 60), now);
    assert.equal(r.ok, true);
  });

  const refusals: [string, string, string | undefined, string, string][] = [
    ['a wrong key', 'dev/sensor', user('dev/sensor'), moduleToken('sensor', generateDeviceKey()), 'bad_signature'],
    ['an expired token', 'dev/sensor', user('dev/sensor'), moduleToken('sensor', undefined, now - 1), 'expired'],
    ["another module's token", 'dev/sensor', user('dev/sensor'), moduleToken('filter'), 'wrong_identity'],
    ['a module not in the manifest', 'dev/filter', user('dev/filter'), moduleToken('filter'), 'unknown_module'],
    ['a runtime module id', 'dev/$edgeHub', user('dev/$edgeHub'), moduleToken('$edgeHub'), 'unknown_module'],
    ['another device', 'other/sensor', user('other/sensor'), moduleToken('sensor'), 'unknown_device'],
    ['a user name for someone else', 'dev/sensor', user('dev/filter'), moduleToken('sensor'), 'wrong_identity'],
    [
      'an unknown token host',
      'dev/sensor',
      user('dev/sensor'),
      moduleToken('sensor', undefined, now + 60, 'evil.example'),
      'wrong_identity',
    ],
    ['a password that is no token', 'dev/sensor', user('dev/sensor'), 'secret', 'bad_token'],
    ['a malformed client id', 'a/b/c', undefined, moduleToken('sensor'), 'bad_client_id'],
  ];
  for (const [what, clientId, username, password, reason] of refusals) {
    it(`refuses ${what}`, () => {
      const r = authenticate(creds, clientId, username, password, now);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, reason);
      assert.ok(!r.ok && r.message.length > 10);
    });
  }

  it('parses tokens with the URL-encoded resource kept for the signature', () => {
    const t = parseSasToken(moduleToken('sensor'));
    assert.ok(t.ok);
    assert.equal(t.token.resource, 'hub.example.net/devices/dev/modules/sensor');
    assert.equal(t.token.resourceRaw, 'hub.example.net%2Fdevices%2Fdev%2Fmodules%2Fsensor');
    assert.equal(parseSasToken('SharedAccessSignature sr=x&se=1').ok, false);
    assert.equal(parseSasToken('SharedAccessSignature sr=x&sig=y&se=soon').ok, false);
  });
});

describe('authenticateToken (CBS put-token)', () => {
  const audience = (resource: string) => encodeURIComponent(resource);

  it('takes the identity from the token audience, with its expiry', () => {
    const token = moduleToken('sensor');
    const r = authenticateToken(creds, audience('hub.example.net/devices/dev/modules/sensor'), token, now);
    assert.deepEqual(r, {
      ok: true,
      identity: { deviceId: 'dev', moduleId: 'sensor', id: 'dev/sensor' },
      expiry: now + 3600,
    });
    const device = authenticateToken(creds, undefined, createSasToken('edgehub/devices/dev', deviceKey, now + 60), now);
    assert.equal(device.ok && device.identity.id, 'dev');
  });

  const refusals: [string, string | undefined, string, string][] = [
    [
      'a name that is not the audience',
      audience('hub.example.net/devices/dev/modules/filter'),
      moduleToken('sensor'),
      'wrong_identity',
    ],
    ['a wrong key', undefined, moduleToken('sensor', generateDeviceKey()), 'bad_signature'],
    ['an expired token', undefined, moduleToken('sensor', undefined, now - 1), 'expired'],
    ['a module not in the manifest', undefined, moduleToken('filter'), 'unknown_module'],
    [
      'another device',
      undefined,
      createSasToken('hub.example.net/devices/other', deviceKey, now + 60),
      'unknown_device',
    ],
    [
      'an audience that names no identity',
      undefined,
      createSasToken('hub.example.net/x', deviceKey, now + 60),
      'wrong_identity',
    ],
    ['something that is no token', undefined, 'secret', 'bad_token'],
  ];
  for (const [what, name, token, reason] of refusals) {
    it(`refuses ${what}`, () => {
      const r = authenticateToken(creds, name, token, now);
      assert.equal(!r.ok && r.reason, reason);
    });
  }
});

describe('leaf and child edge devices', () => {
  const explicitKey = generateDeviceKey();
  const withDevices: Credentials = {
    ...creds,
    devices: new Map([
      ['leaf', undefined],
      ['child', explicitKey],
    ]),
  };
  const deviceToken = (deviceId: string, key: string, host = 'hub.example.net') =>
    createSasToken(`${host}/devices/${deviceId}`, key, now + 3600);

  it('accepts a configured device with its derived key, over MQTT and CBS', () => {
    const token = deviceToken('leaf', deriveDeviceKey(deviceKey, 'leaf'));
    const r = authenticate(withDevices, 'leaf', user('leaf'), token, now);
    assert.deepEqual(r, { ok: true, identity: { deviceId: 'leaf', moduleId: undefined, id: 'leaf' } });
    const c = authenticateToken(withDevices, encodeURIComponent('hub.example.net/devices/leaf'), token, now);
    assert.equal(c.ok && c.identity.id, 'leaf');
  });

  it('accepts a device with an explicit key, and only with that key', () => {
    assert.equal(authenticate(withDevices, 'child', user('child'), deviceToken('child', explicitKey), now).ok, true);
    const derived = authenticate(
      withDevices,
      'child',
      user('child'),
      deviceToken('child', deriveDeviceKey(deviceKey, 'child')),
      now,
    );
    assert.equal(!derived.ok && derived.reason, 'bad_signature');
  });

  it("keeps device keys apart from module keys: a module's key does not sign for a device of the same name", () => {
    assert.notEqual(deriveDeviceKey(deviceKey, 'leaf'), deriveModuleKey(deviceKey, 'leaf'));
    const r = authenticate(
      withDevices,
      'leaf',
      user('leaf'),
      deviceToken('leaf', deriveModuleKey(deviceKey, 'leaf')),
      now,
    );
    assert.equal(!r.ok && r.reason, 'bad_signature');
  });

  it('refuses a device not in the configuration, and modules of a configured device', () => {
    const unknown = authenticate(
      withDevices,
      'stranger',
      user('stranger'),
      deviceToken('stranger', deriveDeviceKey(deviceKey, 'stranger')),
      now,
    );
    assert.equal(!unknown.ok && unknown.reason, 'unknown_device');
    assert.match(!unknown.ok ? unknown.message : '', /edgehubDevices/);
    const mod = authenticate(
      withDevices,
      'leaf/m',
      user('leaf/m'),
      createSasToken('hub.example.net/devices/leaf/modules/m', deriveDeviceKey(deviceKey, 'leaf'), now + 60),
      now,
    );
    assert.equal(!mod.ok && mod.reason, 'wrong_identity');
  });
});
