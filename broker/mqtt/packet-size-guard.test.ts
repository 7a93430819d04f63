import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { MAX_PACKET_BYTES, PacketSizeGuard } from './packet-size-guard.js';

const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'd/m' });
const publish = (size: number) =>
  mqttPacket.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(size), qos: 0, retain: false, dup: false });

/** Feeds `stream` in pieces cut at `cuts` (fractions of its length). */
function feed(stream: Buffer, cuts: number[]): number | undefined {
  const g = new PacketSizeGuard();
  const at = [...new Set(cuts.map((c) => Math.floor(c * stream.length)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...at, stream.length]) {
    const over = g.feed(stream.subarray(from, to));
    if (over !== undefined) return over;
    from = to;
  }
  return undefined;
}

describe('PacketSizeGuard', () => {
  it('follows the framing however the stream is cut, and lets every packet within the limits through', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        (sizes, cuts) => {
          const stream = Buffer.concat([connect, ...sizes.map(publish), mqttPacket.generate({ cmd: 'pingreq' })]);
          assert.equal(feed(stream, cuts), undefined);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reports a packet over the limit from its header, wherever it sits in the stream', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (cuts) => {
        const big = publish(MAX_PACKET_BYTES).subarray(0, 100); // the header is enough
        const stream = Buffer.concat([connect, publish(10), big]);
        assert.ok((feed(stream, cuts) ?? 0) > MAX_PACKET_BYTES);
      }),
    );
    assert.equal(new PacketSizeGuard().feed(Buffer.from([0x10, 0xff, 0xff, 0x7f])), 2_097_151, 'a big CONNECT');
  });
});
