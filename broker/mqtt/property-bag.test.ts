import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Message } from '../core/message.js';
import { formatPropertyBag, parsePropertyBag, propertyBagOverLimit, PropertyBagError } from './property-bag.js';

describe('property bag', () => {
  it('parses what the SDK sends: system properties under %24-keys, application properties encoded', () => {
    // The wire example of reference/protocol.md §3.4 (without the trailing `/`, which the topic parser strips).
    const bag =
      '%24.on=out1&%24.mid=mid-1&%24.cid=cid-1&%24.ct=application%2Fjson&%24.ce=utf-8&k%201=v%2F%26%3D1&%24.sub=subj';
    const { properties, systemProperties } = parsePropertyBag(bag);
    assert.deepEqual(properties, { 'k 1': 'v/&=1' });
    assert.deepEqual(systemProperties, {
      outputName: 'out1',
      messageId: 'mid-1',
      cid: 'cid-1',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      'dt-subject': 'subj',
    });
  });

  it('keeps keys without a value, ignores empty pairs, and keeps $.cdid as an application property', () => {
    const { properties } = parsePropertyBag('a&&b=&%24.cdid=x');
    assert.deepEqual(properties, { a: '', b: '', '$.cdid': 'x' });
  });

  it('refuses bad percent-encoding with a message naming the bag', () => {
    assert.throws(
      () => parsePropertyBag('k=%E0%A4%A'),
      (e: unknown) => e instanceof PropertyBagError && /bad percent-encoding/.test(e.message),
    );
  });

  it('formats deliveries so that decodeURIComponent gives every value back', () => {
    const bag = formatPropertyBag({
      properties: { 'a key': 'a/&=b+c', skipped: null },
      systemProperties: {
        messageId: 'm 1',
        cid: 'c',
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        connectionDeviceId: 'dev',
        connectionModuleId: 'mod',
        outputName: 'out1',
      },
      body: Buffer.alloc(0),
      enqueuedMs: 0,
    });
    assert.equal(
      bag,
      'a%20key=a%2F%26%3Db%2Bc&%24.ce=utf-8&%24.ct=application%2Fjson&%24.cid=c&%24.mid=m%201&%24.cdid=dev&%24.cmid=mod',
    );
    const decoded: Record<string, string> = Object.fromEntries(
      bag.split('&').map((kv) => kv.split('=').map(decodeURIComponent) as [string, string]),
    );
    assert.equal(decoded['a key'], 'a/&=b+c');
    assert.equal(decoded['$.on'], undefined, 'the output name is never sent to an input');
  });

  it('knows the encoded size of a bag without building it, exactly at the limit', () => {
    const message = (properties: Record<string, string>, sys: Record<string, string> = {}): Message => ({
      properties,
      systemProperties: sys,
      body: Buffer.alloc(0),
      enqueuedMs: 0,
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 400 })),
        fc.string({ unit: 'binary', maxLength: 100 }),
        (props, mid) => {
          const m = message(props, { messageId: mid });
          const bytes = Buffer.byteLength(formatPropertyBag(m));
          assert.equal(propertyBagOverLimit(m, bytes), undefined);
          if (bytes > 0) assert.match(propertyBagOverLimit(m, bytes - 1) ?? '', new RegExp(`is ${bytes} bytes`));
        },
      ),
    );
    // 30,000 raw `=`: 30 kB as sent, 90 kB encoded.
    assert.match(propertyBagOverLimit(message({ k: '='.repeat(30_000) }), 65_000) ?? '', /is 90002 bytes/);
    assert.match(propertyBagOverLimit(message({ k: 'a\ud800b'.repeat(10_000) }), 100) ?? '', /lone UTF-16 surrogate/);
  });

  it('names the real sender of a twin change notification in $.cdid/$.cmid, not $edgeHub', () => {
    const bag = formatPropertyBag({
      properties: {},
      systemProperties: {
        messageType: 'twinChangeNotification',
        connectionDeviceId: 'edge',
        connectionModuleId: '$edgeHub',
        rpSenderDeviceId: 'edge',
        rpSenderModuleId: 'sensor',
      },
      body: Buffer.alloc(0),
      enqueuedMs: 0,
    });
    assert.equal(bag, '%24.cdid=edge&%24.cmid=sensor');
  });
});
