import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsAddress, parseLinkAddress, type LinkAddress } from './addresses.js';

describe('parseLinkAddress', () => {
  const cases: [string | undefined, LinkAddress][] = [
    ['$cbs', { kind: 'cbs' }],
    ['/devices/dev/modules/sensor/messages/events', { kind: 'events', deviceId: 'dev', moduleId: 'sensor' }],
    ['/devices/dev/messages/events', { kind: 'events', deviceId: 'dev', moduleId: undefined }],
    ['/devices/dev/messages/devicebound', { kind: 'devicebound', deviceId: 'dev' }],
    ['/devices/dev/modules/m/twin', { kind: 'twin', deviceId: 'dev', moduleId: 'm' }],
    ['/devices/dev/modules/m/methods/devicebound', { kind: 'methods', deviceId: 'dev', moduleId: 'm' }],
    ['/devices/dev/modules/m/messages/devicebound', { kind: 'unknown' }],
    ['/devices//messages/events', { kind: 'unknown' }],
    ['/devices/dev/modules//messages/events', { kind: 'unknown' }],
    ['devices/dev/messages/events', { kind: 'unknown' }],
    ['/devices/dev/messages/events/extra', { kind: 'unknown' }],
    ['$cbs2', { kind: 'unknown' }],
    ['', { kind: 'unknown' }],
    [undefined, { kind: 'unknown' }],
  ];
  for (const [address, expected] of cases) {
    it(`${JSON.stringify(address)} → ${expected.kind}`, () => assert.deepEqual(parseLinkAddress(address), expected));
  }

  it('eventsAddress is what parseLinkAddress reads back', () => {
    assert.deepEqual(parseLinkAddress(eventsAddress('d', 'm')), { kind: 'events', deviceId: 'd', moduleId: 'm' });
    assert.deepEqual(parseLinkAddress(eventsAddress('d', undefined)), {
      kind: 'events',
      deviceId: 'd',
      moduleId: undefined,
    });
  });
});
