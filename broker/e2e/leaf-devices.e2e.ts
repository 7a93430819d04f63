// Leaf devices through the hub: the SDK's device Client (GatewayHostName = the hub) over MQTT and AMQP, with
// identities from the configuration's edgehubDevices. Their telemetry enters the routes as /messages/* with
// $connectionDeviceId and no $connectionModuleId; a device not in the configuration is refused, and one removed
// from it is disconnected.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import azureCommon from 'azure-iot-common';
import azureDevice from 'azure-iot-device';
import azureAmqp from 'azure-iot-device-amqp';
import azureMqtt from 'azure-iot-device-mqtt';
import {
  buildManifest,
  deriveDeviceKey,
  formatDeviceConnectionString,
  generateDeviceKey,
} from '../../manifest/index.js';
import { Inbox, jsonMessage, sleep, TestHub, type SdkModuleClient } from './harness.js';
import { Scrape } from './scrape.js';

const { Client } = azureDevice;
type SdkClient = InstanceType<typeof Client>;

const explicitKey = generateDeviceKey();
const route = (device: string) =>
  `FROM /messages/* WHERE $connectionDeviceId = '${device}' AND NOT IS_DEFINED($connectionModuleId) INTO BrokeredEndpoint("/modules/sink/inputs/${device}")`;
const config = (devices: Record<string, { symmetricKey?: string }>) =>
  buildManifest({
    modules: ['sink'],
    routes: { leafMqtt: route('leaf-mqtt'), leafAmqp: route('leaf-amqp') },
    devices,
  });
const allDevices = { 'leaf-mqtt': {}, 'leaf-amqp': { symmetricKey: explicitKey } };

describe('leaf devices through the hub', () => {
  let hub: TestHub;
  let sink: SdkModuleClient;
  let inbox: Inbox;
  const clients: SdkClient[] = [];

  before(async () => {
    hub = await TestHub.start(config(allDevices));
    sink = await hub.module('sink');
    inbox = new Inbox(sink);
  });
  after(async () => {
    await Promise.all([sink, ...clients].map((c) => c.close().catch(() => undefined)));
    await hub.stop();
  });

  const device = (deviceId: string, transport: 'mqtt' | 'amqp', key?: string): SdkClient => {
    const d = hub.hub.device;
    const port = transport === 'amqp' ? hub.hub.ports.amqps : hub.hub.ports.mqtts;
    const client = Client.fromConnectionString(
      formatDeviceConnectionString({
        hostName: d.iothubHostName,
        gatewayHostName: `127.0.0.1:${port}`,
        deviceId,
        sharedAccessKey: key ?? deriveDeviceKey(d.deviceKey, deviceId),
      }),
      transport === 'amqp' ? azureAmqp.Amqp : azureMqtt.Mqtt,
    );
    client.setRetryPolicy(new azureCommon.NoRetry());
    clients.push(client);
    return client;
  };

  for (const [deviceId, transport, key] of [
    ['leaf-mqtt', 'mqtt', undefined],
    ['leaf-amqp', 'amqp', explicitKey],
  ] as const) {
    it(`routes a ${transport.toUpperCase()} leaf device's telemetry by $connectionDeviceId`, async () => {
      const client = device(deviceId, transport, key);
      await client.setOptions({ ca: hub.ca });
      await client.open();
      const before = inbox.messages.length;
      await client.sendEvent(jsonMessage({ from: deviceId }, { k: 'v' }));
      await inbox.waitFor(before + 1);
      const got = inbox.messages[before]!;
      assert.equal(got.input, deviceId);
      assert.deepEqual(JSON.parse(got.message.getBytes().toString()), { from: deviceId });
      const scrape = await Scrape.from(hub.hub.ports.metrics!);
      assert.equal(scrape.value('edgehub_messages_received_total', { id: deviceId }), 1);
    });
  }

  it('refuses a device that is not in the configuration, over MQTT (CONNACK 5) and AMQP (CBS 401)', async () => {
    for (const transport of ['mqtt', 'amqp'] as const) {
      const client = device('stranger', transport);
      await client.setOptions({ ca: hub.ca });
      await assert.rejects(client.open(), (err: Error) => {
        assert.equal(err.name, 'UnauthorizedError', `${transport}: ${err.name}: ${err.message}`);
        return true;
      });
    }
    const scrape = await Scrape.from(hub.hub.ports.metrics!);
    assert.ok(scrape.value('edgehub_client_connect_failed_total', { reason: 'unknown_device' }) >= 2);
  });

  it('refuses a configured device with a wrong key', async () => {
    const client = device('leaf-amqp', 'mqtt'); // derived key, but the configuration gives an explicit one
    await client.setOptions({ ca: hub.ca });
    await assert.rejects(client.open(), { name: 'UnauthorizedError' });
  });

  it('disconnects a device removed from the configuration', async () => {
    const client = device('leaf-mqtt', 'mqtt');
    await client.setOptions({ ca: hub.ca });
    await client.open();
    let disconnected = false;
    client.on('disconnect', () => (disconnected = true));
    hub.writeConfig(config({ 'leaf-amqp': { symmetricKey: explicitKey } }));
    const deadline = Date.now() + 5000;
    while (!disconnected && Date.now() < deadline) await sleep(50);
    assert.ok(disconnected, 'the removed device was disconnected');
    const again = device('leaf-mqtt', 'mqtt');
    await again.setOptions({ ca: hub.ca });
    await assert.rejects(again.open(), { name: 'UnauthorizedError' });
  });
});
