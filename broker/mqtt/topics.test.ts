import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allowedSubscriptions,
  inputTopic,
  parseInboundTopic,
  parseMethodResponseTopic,
  parseTwinTopic,
  twinResponseTopic,
} from './topics.js';

describe('MQTT twin and method topics', () => {
  it('parses twin requests: operation path and $rid', () => {
    assert.deepEqual(parseTwinTopic('$iothub/twin/GET/?$rid=abc-1'), { operation: 'GET/', rid: 'abc-1' });
    assert.deepEqual(parseTwinTopic('$iothub/twin/PATCH/properties/reported/?$rid=7'), {
      operation: 'PATCH/properties/reported/',
      rid: '7',
    });
    assert.deepEqual(parseTwinTopic('$iothub/twin/GET'), { operation: 'GET/', rid: undefined });
    assert.deepEqual(parseTwinTopic('$iothub/twin/GET/?$rid='), { operation: 'GET/', rid: undefined });
  });

  it('parses method responses and refuses malformed ones', () => {
    assert.deepEqual(parseMethodResponseTopic('$iothub/methods/res/200/?$rid=r1'), { status: 200, rid: 'r1' });
    assert.deepEqual(parseMethodResponseTopic('$iothub/methods/res/500?$rid=r1'), { status: 500, rid: 'r1' });
    for (const bad of ['$iothub/methods/res/abc/?$rid=r', '$iothub/methods/res/200/', '$iothub/methods/res/200/?x=1']) {
      assert.equal(parseMethodResponseTopic(bad), undefined, bad);
    }
    assert.equal(twinResponseTopic(204, 'r', 3), '$iothub/twin/res/204/?$rid=r&$version=3');
  });
});

describe('MQTT topics', () => {
  const cases: [string, ReturnType<typeof parseInboundTopic>][] = [
    ['devices/d/modules/m/messages/events/', { kind: 'telemetry', deviceId: 'd', moduleId: 'm', bag: '' }],
    ['devices/d/modules/m/messages/events', { kind: 'telemetry', deviceId: 'd', moduleId: 'm', bag: '' }],
    [
      'devices/d/modules/m/messages/events/a=1&b=2',
      { kind: 'telemetry', deviceId: 'd', moduleId: 'm', bag: 'a=1&b=2' },
    ],
    [
      'devices/d/modules/m/messages/events/%24.on=out1&a=1/',
      { kind: 'telemetry', deviceId: 'd', moduleId: 'm', bag: '%24.on=out1&a=1' },
    ],
    ['devices/d/messages/events/x=y', { kind: 'telemetry', deviceId: 'd', moduleId: undefined, bag: 'x=y' }],
    ['devices/d/modules/m/messages/eventsX', { kind: 'unknown' }],
    ['devices/d/modules/m/messages/events/a=1/b=2', { kind: 'unknown' }],
    ['devices//messages/events/', { kind: 'unknown' }],
    ['devices/d/modules//messages/events/', { kind: 'unknown' }],
    ['devices/d/modules/m/inputs/in1/', { kind: 'unknown' }],
    ['$iothub/twin/GET/?$rid=1', { kind: 'twin', topic: '$iothub/twin/GET/?$rid=1' }],
    ['$iothub/methods/res/200/?$rid=1', { kind: 'method-response', topic: '$iothub/methods/res/200/?$rid=1' }],
    ['other/topic', { kind: 'unknown' }],
  ];
  for (const [topic, expected] of cases) {
    it(`parses ${topic}`, () => assert.deepEqual(parseInboundTopic(topic), expected));
  }

  it('writes input topics with the mandatory slash after the input name', () => {
    assert.equal(inputTopic('d', 'm', 'in1', ''), 'devices/d/modules/m/inputs/in1/');
    assert.equal(inputTopic('d', 'm', 'in1', 'a=1'), 'devices/d/modules/m/inputs/in1/a=1');
  });

  it('allows a module only its own inputs, and methods and twin topics', () => {
    assert.deepEqual(allowedSubscriptions('d', 'm'), [
      'devices/d/modules/m/inputs/#',
      '$iothub/methods/POST/#',
      '$iothub/twin/res/#',
      '$iothub/twin/PATCH/properties/desired/#',
    ]);
    assert.equal(allowedSubscriptions('d', undefined)[0], 'devices/d/messages/devicebound/#');
  });
});
