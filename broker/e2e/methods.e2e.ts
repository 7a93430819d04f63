// Direct methods with the real Azure IoT SDK: module A calls `ModuleClient.invokeMethod` (HTTPS to the gateway on
// port 443, hard-coded in the SDK) and module B answers over MQTT. Success, an error status from the handler, a
// method without a handler (504 after the response timeout), a target that is offline (404, also after waiting
// connectTimeoutInSeconds) or connects while the call waits, and bad calls (odd names, another device, oversize
// payloads, bad tokens): clear errors and no crash on either side. The tests bind 127.0.0.1:443, so they run
// serially in this one file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import azureDevice from 'azure-iot-device';
import azureMqtt from 'azure-iot-device-mqtt';
import { buildManifest, deriveModuleKey, formatConnectionString } from '../../manifest/index.js';
import { handleMethodsRequest } from '../methods/http-invoke.js';
import { Scrape } from './scrape.js';
import { sleep, TestHub, type SdkModuleClient, type Transport } from './harness.js';

const { ModuleClient } = azureDevice;

type MethodRequest = InstanceType<typeof azureDevice.DeviceMethodRequest>;
type MethodResponse = InstanceType<typeof azureDevice.DeviceMethodResponse>;
/** Method parameters as a module may pass them: the SDK sends what it is given, missing fields left out. */
type Params = Partial<Parameters<SdkModuleClient['invokeMethod']>[2] & object>;
const params = (p: Params) => p as Parameters<SdkModuleClient['invokeMethod']>[2] & object;

/** Binds 127.0.0.1:443 (the SDK's fixed port), waiting a little if another test process holds it. */
async function listen443(server: Server): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(443, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

function post(
  hub: TestHub,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: 443, method: 'POST', path, headers, ca: hub.ca }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const transport of ['mqtt', 'amqp'] as Transport[]) {
  describe(`direct methods, module to module (SDK invokeMethod over HTTPS 443, callee on ${transport})`, () => {
    let hub: TestHub;
    let https: Server;
    const clients: SdkModuleClient[] = [];
    let deviceId = '';

    /** The caller: the SDK's MethodClient posts to GatewayHostName on 443 (no port can be given). */
    const caller = async (moduleId: string) => {
      const d = hub.hub.device;
      const client = ModuleClient.fromConnectionString(
        formatConnectionString({
          hostName: d.iothubHostName,
          gatewayHostName: '127.0.0.1',
          deviceId: d.deviceId,
          moduleId,
          sharedAccessKey: deriveModuleKey(d.deviceKey, moduleId),
        }),
        azureMqtt.Mqtt,
      );
      await client.setOptions({ ca: hub.ca });
      // Never opened, so close() does not stop its token-renewal timer (SDK): stop it with the client.
      const auth = (client as unknown as { _methodClient: { _authProvider: { stop(): void } } })._methodClient
        ._authProvider;
      clients.push(
        Object.assign(Object.create(client) as SdkModuleClient, { close: () => Promise.resolve(auth.stop()) }),
      );
      return client;
    };
    const callee = async (moduleId: string) => {
      const c = await hub.module(moduleId, { transport });
      clients.push(c);
      c.onMethod('echo', (req?: MethodRequest, res?: MethodResponse) => {
        void res?.send(200, { got: req?.payload as unknown, name: req?.methodName });
      });
      c.onMethod('fail', (_req?: MethodRequest, res?: MethodResponse) => {
        void res?.send(500, { error: 'boom' });
      });
      await sleep(300); // the SDK subscribes to methods when the first handler is added
      return c;
    };

    before(async () => {
      hub = await TestHub.start(buildManifest({ modules: ['a', 'b', 'offline', 'late'], routes: {} }));
      deviceId = hub.hub.device.deviceId;
      https = createServer(
        {
          cert: readFileSync(join(hub.dir, 'server.pem'), 'utf8'),
          key: readFileSync(join(hub.dir, 'server-key.pem'), 'utf8'),
        },
        (req, res) => void handleMethodsRequest(hub.hub.methodsHttp, req, res),
      );
      await listen443(https);
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    });
    after(async () => {
      https.closeAllConnections();
      await new Promise((r) => https.close(r));
      await hub.stop();
    });

    it('calls a method on another module and returns its status and payload, also without a payload', async () => {
      await callee('b');
      const a = await caller('a');
      const result = await a.invokeMethod(deviceId, 'b', {
        methodName: 'echo',
        payload: { x: 1, s: 'é' },
        responseTimeoutInSeconds: 5,
        connectTimeoutInSeconds: 0,
      });
      assert.deepEqual(result, { status: 200, payload: { got: { x: 1, s: 'é' }, name: 'echo' } });
      // No payload: the callee gets JSON null (an empty MQTT body would make its SDK answer 400 by itself).
      const bare = await a.invokeMethod(deviceId, 'b', params({ methodName: 'echo', responseTimeoutInSeconds: 5 }));
      assert.deepEqual(bare, { status: 200, payload: { got: null, name: 'echo' } });
    });

    it("returns the handler's error status as the result", async () => {
      await callee('b');
      const a = await caller('a');
      const result = await a.invokeMethod(
        deviceId,
        'b',
        params({
          methodName: 'fail',
          payload: null,
          responseTimeoutInSeconds: 5,
        }),
      );
      assert.deepEqual(result, { status: 500, payload: { error: 'boom' } });
    });

    it('ends a call to a method without a handler with 504 after the response timeout', async () => {
      await callee('b');
      const a = await caller('a');
      const started = Date.now();
      await assert.rejects(
        a.invokeMethod(deviceId, 'b', params({ methodName: 'nobody', payload: 1, responseTimeoutInSeconds: 1 })),
        (err: Error) =>
          err.name === 'GatewayTimeoutError' && /did not answer method "nobody" within 1 s/.test(err.message),
      );
      const ms = Date.now() - started;
      assert.ok(ms >= 900 && ms < 4000, `ended after ${ms} ms`);
    });

    it('ends a call to a module that is not connected with 404, at once or after connectTimeoutInSeconds', async () => {
      const a = await caller('a');
      const check = (err: Error & { responseBody?: string }) =>
        err.message === 'Not found' && /offline is not connected/.test(err.responseBody ?? '');
      await assert.rejects(a.invokeMethod(deviceId, 'offline', params({ methodName: 'echo', payload: 1 })), check);
      const started = Date.now();
      await assert.rejects(
        a.invokeMethod(deviceId, 'offline', params({ methodName: 'echo', payload: 1, connectTimeoutInSeconds: 1 })),
        check,
      );
      assert.ok(Date.now() - started >= 900, 'waited for the module to connect');
      // A module that connects while the call waits gets it.
      const waiting = a.invokeMethod(
        deviceId,
        'late',
        params({
          methodName: 'echo',
          payload: 'hi',
          connectTimeoutInSeconds: 10,
          responseTimeoutInSeconds: 5,
        }),
      );
      await sleep(200);
      await callee('late');
      assert.deepEqual(await waiting, { status: 200, payload: { got: 'hi', name: 'echo' } });
    });

    it('refuses bad calls with clear errors, and both modules go on', async () => {
      const b = await callee('b');
      const a = await caller('a');
      await assert.rejects(
        a.invokeMethod(deviceId, 'b', params({ methodName: 'my method', payload: 1 })),
        (err: Error) => err.name === 'ArgumentError' && /methodName "my method" has " "/.test(err.message),
      );
      await assert.rejects(
        a.invokeMethod(deviceId, 'b', params({ methodName: 'echo', payload: 'x'.repeat(140_000) })),
        (err: Error & { responseBody?: string }) => /over/.test(err.responseBody ?? err.message),
      );
      await assert.rejects(
        a.invokeMethod(
          deviceId,
          'b',
          params({ methodName: 'echo', payload: 1, responseTimeoutInSeconds: 'soon' as never }),
        ),
        /responseTimeoutInSeconds must be a number/,
      );
      await assert.rejects(
        a.invokeMethod('another-device', 'b', params({ methodName: 'echo', payload: 1 })),
        (err: Error) => err.name === 'DeviceNotFoundError' && /not this edge device/.test(err.message),
      );

      const path = `/twins/${deviceId}/modules/b/methods`;
      const body = JSON.stringify({ methodName: 'echo', payload: 1 });
      const json = { 'content-type': 'application/json' };
      // A caller from another device, whatever its token says.
      const other = await post(
        hub,
        path,
        { ...json, 'x-ms-edge-moduleId': 'elsewhere/a', authorization: hub.token('a') },
        body,
      );
      assert.equal(other.status, 401);
      assert.match((JSON.parse(other.body) as { message: string }).message, /Only modules on the same device/);
      // A bad token, no caller header, a body that is not JSON.
      const forged = await post(
        hub,
        path,
        { ...json, 'x-ms-edge-moduleId': `${deviceId}/a`, authorization: hub.token('b') },
        body,
      );
      assert.equal(forged.status, 401);
      assert.match(forged.body, /token is for/);
      const anonymous = await post(hub, path, { ...json, authorization: hub.token('a') }, body);
      assert.equal(anonymous.status, 400);
      const garbage = await post(
        hub,
        path,
        { ...json, 'x-ms-edge-moduleId': `${deviceId}/a`, authorization: hub.token('a') },
        '{nope',
      );
      assert.equal(garbage.status, 400);
      assert.match(garbage.body, /not valid JSON/);
      for (const r of [other, forged, anonymous, garbage]) assert.doesNotThrow(() => JSON.parse(r.body));

      // Both sides still work.
      assert.equal(b.listenerCount('error'), b.listenerCount('error'));
      assert.deepEqual(
        await a.invokeMethod(deviceId, 'b', params({ methodName: 'echo', payload: 2, responseTimeoutInSeconds: 5 })),
        {
          status: 200,
          payload: { got: 2, name: 'echo' },
        },
      );
      // Calls are counted by caller and target.
      const scrape = await Scrape.from(hub.hub.ports.metrics!);
      const pair = { from: `${deviceId}/a`, to: `${deviceId}/b` };
      assert.ok(scrape.value('edgehub_direct_methods_total', pair) >= 2);
      assert.ok(scrape.count('edgehub_direct_method_duration_seconds', pair) >= 2);
    });
  });
}

describe("the methods route on the hub's own HTTPS listener", () => {
  it("reaches the method handler through the 443 listener's router (here on a free port)", async () => {
    const hub = await TestHub.start(buildManifest({ modules: ['a', 'b'], routes: {} }), { httpsPort: 0 });
    try {
      const d = hub.hub.device.deviceId;
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: hub.hub.ports.https,
            method: 'POST',
            path: `/twins/${d}/modules/b/methods`,
            headers: {
              'content-type': 'application/json',
              'x-ms-edge-moduleId': `${d}/a`,
              authorization: hub.token('a'),
            },
            ca: hub.ca,
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ methodName: 'echo', payload: 1 }));
      });
      assert.equal(answer.status, 404);
      assert.match((JSON.parse(answer.body) as { message: string }).message, /b is not connected/);
    } finally {
      await hub.stop();
    }
  });
});
