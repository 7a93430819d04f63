import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { Mutator, rawPublish, Rng } from './mutator.js';

const identity = {
  deviceId: 'dev',
  moduleId: 'fuzz0',
  iothubHostName: 'hub.example',
  token: 'SharedAccessSignature sr=x',
};

describe('fuzz mutator', () => {
  it('gives the same inputs for the same seed, and others for another', () => {
    const run = (seed: number) => {
      const m = new Mutator(seed, identity);
      return Array.from({ length: 200 }, () => m.mutate(m.seedPacket()).toString('hex'));
    };
    assert.deepEqual(run(16), run(16));
    assert.notDeepEqual(run(16), run(17));
  });

  it('starts from real packets: what it calls valid parses as MQTT 3.1.1', () => {
    const m = new Mutator(1, identity);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const cmds = new Set<string>();
    let errors = 0;
    parser.on('packet', (p) => cmds.add(p.cmd));
    parser.on('error', () => errors++);
    parser.parse(m.connect());
    for (let i = 0; i < 500; i++) parser.parse(m.validPacket());
    parser.parse(m.manyProperties(10_000));
    assert.equal(errors, 0);
    for (const cmd of ['connect', 'publish', 'subscribe', 'unsubscribe', 'pingreq', 'puback'])
      assert.ok(cmds.has(cmd), cmd);
  });

  it('writes raw topic bytes (invalid UTF-8 included) and spreads its integers evenly', () => {
    const p = rawPublish(Buffer.from([0x61, 0xff, 0xfe]), Buffer.from('x'), 1, 7);
    assert.deepEqual([...p], [0x32, 8, 0, 3, 0x61, 0xff, 0xfe, 0, 7, 0x78]);
    const r = new Rng(3);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[r.int(10)]!++;
    for (const b of buckets) assert.ok(b > 850 && b < 1150, String(b));
  });
});
