import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../log.js';
import { methodNameProblem, Methods, parseMethodCall, type MethodCall } from './methods.js';

const call = (over: Partial<MethodCall> = {}): MethodCall => ({
  methodName: 'm',
  payload: null,
  responseTimeoutInSeconds: 1,
  connectTimeoutInSeconds: 0,
  ...over,
});

describe('Methods', () => {
  it('delivers a call with a JSON body and resolves with the answer of that same identity only', async () => {
    const methods = new Methods(silentLogger());
    const sent: { rid: string; name: string; body: string }[] = [];
    methods.register('d/b', { send: (rid, name, body) => sent.push({ rid, name, body: body.toString() }) });
    const pending = methods.invoke('d/b', call({ payload: { a: [1] } }));
    await Promise.resolve();
    assert.equal(sent.length, 1);
    assert.deepEqual([sent[0]!.name, sent[0]!.body], ['m', '{"a":[1]}']);
    assert.equal(methods.respond('d/other', sent[0]!.rid, 200, Buffer.from('1')), false, 'not from the target');
    assert.equal(methods.respond('d/b', sent[0]!.rid, 201, Buffer.from('{"ok":true}')), true);
    assert.deepEqual(await pending, { kind: 'answer', status: 201, payload: { ok: true } });
    assert.equal(methods.respond('d/b', sent[0]!.rid, 200, Buffer.from('1')), false, 'answered once');
  });

  it('sends null for no payload, 404 when not connected, 504 on timeout, 413 when too large', async () => {
    const methods = new Methods(silentLogger());
    assert.equal((await methods.invoke('d/b', call())).status, 404);
    const bodies: string[] = [];
    const stop = methods.register('d/b', { send: (_r, _n, body) => bodies.push(body.toString()) });
    const timedOut = await methods.invoke('d/b', call({ responseTimeoutInSeconds: 0.05 }));
    assert.deepEqual([timedOut.kind, timedOut.status, bodies], ['failure', 504, ['null']]);
    assert.equal((await methods.invoke('d/b', call({ payload: 'x'.repeat(140_000) }))).status, 413);
    stop();
    assert.equal(methods.connected('d/b'), false);
  });

  it('waits connectTimeoutInSeconds for the target to register', async () => {
    const methods = new Methods(silentLogger());
    const pending = methods.invoke('d/late', call({ connectTimeoutInSeconds: 5 }));
    setTimeout(
      () => methods.register('d/late', { send: (rid) => methods.respond('d/late', rid, 200, Buffer.from('"hi"')) }),
      50,
    );
    assert.deepEqual(await pending, { kind: 'answer', status: 200, payload: 'hi' });
  });

  it('checks method names and call bodies', () => {
    assert.equal(methodNameProblem('reboot_now-2.x'), undefined);
    for (const bad of ['', 'a b', 'a/b', 'a+b', 'a#b', 'a?b', 'x"y', 'tab\t', 'x'.repeat(101)]) {
      assert.ok(methodNameProblem(bad), bad);
    }
    assert.deepEqual(parseMethodCall({ methodName: 'm' }), {
      methodName: 'm',
      payload: null,
      responseTimeoutInSeconds: 30,
      connectTimeoutInSeconds: 0,
    });
    assert.match(parseMethodCall([]) as string, /JSON object/);
    assert.match(
      parseMethodCall({ methodName: 'm', connectTimeoutInSeconds: -1 }) as string,
      /connectTimeoutInSeconds/,
    );
    assert.match(parseMethodCall({ methodName: 'm', responseTimeoutInSeconds: 301 }) as string, /0 to 300/);
  });
});
