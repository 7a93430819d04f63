import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { publishHeader } from './publish-packet.js';

describe('publishHeader', () => {
  // Payload sizes around each boundary of the variable-length encoding; topics with multi-byte characters.
  const cases: [string, number, number][] = [
    ['devices/d/modules/m/inputs/in/', 1, 0],
    ['devices/d/modules/m/inputs/in/a=1', 65535, 90],
    ['devices/d/modules/m/inputs/in/%24.mid=%C3%A9', 7, 200],
    ['devices/dé/modules/m/inputs/ïn/', 300, 16_000],
    ['t', 2, 16_384 - 7],
    ['devices/d/modules/m/inputs/in/', 3, 300 * 1024],
    ['devices/d/modules/m/inputs/in/', 4, 2_200_000],
  ];
  for (const [topic, messageId, size] of cases) {
    it(`encodes what mqtt-packet encodes: ${size} bytes, packet id ${messageId}`, () => {
      const payload = Buffer.alloc(size, 7);
      const ours = Buffer.concat([publishHeader(topic, messageId, payload.length), payload]);
      const theirs = mqttPacket.generate({
        cmd: 'publish',
        topic,
        payload,
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      });
      assert.ok(ours.equals(theirs));
      const parser = mqttPacket.parser();
      let parsed: mqttPacket.Packet | undefined;
      parser.on('packet', (p) => (parsed = p));
      parser.parse(ours);
      assert.ok(parsed?.cmd === 'publish');
      assert.equal(parsed.topic, topic);
      assert.equal(parsed.messageId, messageId);
      assert.equal(parsed.qos, 1);
      assert.equal((parsed.payload as Buffer).length, size);
    });
  }

  it('refuses a topic over 65,535 bytes with a clear error instead of a corrupt length', () => {
    assert.doesNotThrow(() => publishHeader('t'.repeat(65_535), 1, 0));
    assert.throws(() => publishHeader('é'.repeat(32_768), 1, 0), /topic of 65536 bytes is over MQTT's limit of 65535/);
  });

  it('encodes QoS 0 (no packet id) as mqtt-packet does', () => {
    const topic = 'devices/d/modules/m/inputs/in/a=1';
    for (const size of [0, 5, 200, 20_000]) {
      const payload = Buffer.alloc(size, 3);
      const ours = Buffer.concat([publishHeader(topic, undefined, size), payload]);
      const theirs = mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false });
      assert.ok(ours.equals(theirs), `${size} bytes`);
    }
  });
});
