import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SystemProperty } from '../core/message.js';
import { backoffDelay } from './backoff.js';
import { DEFAULT_UPSTREAM_SETTINGS, parseUpstreamConnectionString, parseUpstreamProtocol } from './options.js';
import {
  ORIGIN_DEVICE_PROPERTY,
  ORIGIN_MODULE_PROPERTY,
  ORIGIN_OUTPUT_PROPERTY,
  toSdkMessage,
} from './outbound-message.js';

describe('upstream backoff', () => {
  const b = DEFAULT_UPSTREAM_SETTINGS.backoff;
  it("follows the reference's curve: about 1, 2, 4, 8 … s, capped at 60 s, with ±20 % jitter", () => {
    assert.equal(
      backoffDelay(0, b, () => 0.5),
      1000,
    );
    assert.equal(
      backoffDelay(1, b, () => 0.5),
      2000,
    );
    assert.equal(
      backoffDelay(3, b, () => 0.5),
      8000,
    );
    assert.equal(
      backoffDelay(1, b, () => 0),
      1800,
    );
    assert.equal(
      backoffDelay(1, b, () => 1),
      2200,
    );
    assert.equal(
      backoffDelay(6, b, () => 0.5),
      60_000,
    );
    assert.equal(
      backoffDelay(10_000, b, () => 0.5),
      60_000,
    );
  });
});

describe('upstream connection string', () => {
  it('takes a device string, with GatewayHostName as the target', () => {
    const r = parseUpstreamConnectionString(
      'HostName=hub.net;DeviceId=child;SharedAccessKey=a2V5;GatewayHostName=parent:8883',
    );
    assert.deepEqual(r, { ok: true, value: { hostName: 'hub.net', deviceId: 'child', target: 'parent:8883' } });
    const direct = parseUpstreamConnectionString('HostName=hub.net;DeviceId=child;SharedAccessKey=a2V5');
    assert.equal(direct.ok && direct.value.target, 'hub.net');
  });

  it('refuses what the SDK cannot use here, without echoing the key', () => {
    const cases: [string, RegExp][] = [
      ['HostName=h;SharedAccessKey=c2VjcmV0', /needs HostName and DeviceId/],
      ['HostName=h;DeviceId=d;ModuleId=$edgeHub;SharedAccessKey=c2VjcmV0', /without ModuleId/],
      ['HostName=h;DeviceId=d;SharedAccessSignature=SharedAccessSignature sr=x', /needs SharedAccessKey/],
      ['HostName=h;DeviceId=d;c2VjcmV0', /is not Name=value/],
    ];
    for (const [cs, re] of cases) {
      const r = parseUpstreamConnectionString(cs);
      assert.equal(r.ok, false, cs);
      assert.match(!r.ok ? r.error : '', re);
      assert.doesNotMatch(!r.ok ? r.error : '', /c2VjcmV0/);
    }
  });

  it('knows the reference UpstreamProtocol values, in any case', () => {
    assert.equal(parseUpstreamProtocol('amqpws'), 'AmqpWs');
    assert.equal(parseUpstreamProtocol('Mqtt'), 'Mqtt');
    assert.equal(parseUpstreamProtocol('http'), undefined);
  });
});

describe('outbound message', () => {
  const stored = (props: Record<string, string | null>, sys: Record<string, string>) => ({
    id: 0,
    body: Buffer.from('{"t":1}'),
    enqueuedMs: 0,
    properties: props,
    systemProperties: sys,
  });

  it('keeps system and application properties and adds the origin', () => {
    const m = toSdkMessage(
      stored(
        { k: 'v', gone: null },
        {
          [SystemProperty.messageId]: 'mid',
          [SystemProperty.correlationId]: 'cid',
          [SystemProperty.contentType]: 'application/json',
          [SystemProperty.contentEncoding]: 'utf-8',
          [SystemProperty.connectionDeviceId]: 'edge1',
          [SystemProperty.connectionModuleId]: 'sensor',
          [SystemProperty.outputName]: 'out1',
        },
      ),
    );
    assert.equal(m.getBytes().toString(), '{"t":1}');
    assert.equal(m.messageId, 'mid');
    assert.equal(m.correlationId, 'cid');
    assert.equal(m.contentType, 'application/json');
    assert.equal(m.contentEncoding, 'utf-8');
    const props = Object.fromEntries(
      Array.from({ length: m.properties.count() }, (_, i) => {
        const p = m.properties.getItem(i);
        return [p.key, p.value];
      }),
    );
    assert.deepEqual(props, {
      k: 'v',
      [ORIGIN_DEVICE_PROPERTY]: 'edge1',
      [ORIGIN_MODULE_PROPERTY]: 'sensor',
      [ORIGIN_OUTPUT_PROPERTY]: 'out1',
    });
  });

  it('keeps the origin of a message that already carries one (second hop of nested edge)', () => {
    const m = toSdkMessage(
      stored(
        { [ORIGIN_DEVICE_PROPERTY]: 'grandchild', [ORIGIN_MODULE_PROPERTY]: 'sensor' },
        { [SystemProperty.connectionDeviceId]: 'child' },
      ),
    );
    const keys = Array.from({ length: m.properties.count() }, (_, i) => m.properties.getItem(i));
    assert.deepEqual(
      keys.map((p) => [p.key, p.value]),
      [
        [ORIGIN_DEVICE_PROPERTY, 'grandchild'],
        [ORIGIN_MODULE_PROPERTY, 'sensor'],
      ],
    );
  });
});
