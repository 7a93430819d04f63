// Durability: a sender publishes with QoS 1 while the hub is killed with SIGKILL at a random moment. After a
// restart on the same data folder, every message the hub had acknowledged reaches the receiver (duplicates
// allowed, loss not).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import azureDevice from 'azure-iot-device';
import azureMqtt from 'azure-iot-device-mqtt';
import mqtt from 'mqtt';
import { deriveModuleKey, formatConnectionString } from '../../manifest/index.js';
import { createSasToken } from '../auth/sas.js';
import { manifest, sleep } from './harness.js';
import { startHubProcess } from './hub-process.js';

const dir = mkdtempSync(join(tmpdir(), 'edgehub-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Device {
  deviceId: string;
  iothubHostName: string;
  deviceKey: string;
}

async function sendUntilKilled(
  port: number,
  device: Device,
  ca: string,
  round: number,
  killAfterMs: number,
  kill: () => void,
) {
  const clientId = `${device.deviceId}/sensor`;
  const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
    clientId,
    username: `${device.iothubHostName}/${clientId}/?api-version=2021-04-12`,
    password: createSasToken(
      `${device.iothubHostName}/devices/${clientId.replace('/', '/modules/')}`,
      deriveModuleKey(device.deviceKey, 'sensor'),
      Math.floor(Date.now() / 1000) + 3600,
    ),
    protocolVersion: 4,
    clean: false,
    ca,
    reconnectPeriod: 0,
  });
  client.on('error', () => undefined);
  const acked = new Set<string>();
  const topic = `devices/${device.deviceId}/modules/sensor/messages/events/%24.on=out/`;
  let stopped = false;
  let i = 0;
  setTimeout(kill, killAfterMs);
  // Keep up to 64 publishes in flight, as a busy module would, until the connection dies with the hub.
  await new Promise<void>((resolve) => {
    client.once('close', () => {
      stopped = true;
      resolve(); // mqtt.js never calls back publishes still in flight on a dead connection: they were not acked
    });
    let inflight = 0;
    const pump = () => {
      while (!stopped && inflight < 64 && i < 200_000) {
        const body = `r${round}-${i++}`;
        inflight++;
        client.publish(topic, body, { qos: 1 }, (err) => {
          inflight--;
          if (!err) acked.add(body);
          pump();
        });
      }
    };
    pump();
  });
  client.end(true);
  return { acked, sent: i };
}

describe('crash and drain while a module sends', () => {
  const rounds: [number, 'SIGKILL' | 'SIGTERM'][] = [
    [1, 'SIGKILL'],
    [2, 'SIGKILL'],
    [3, 'SIGTERM'],
  ];
  for (const [round, signal] of rounds) {
    it(`round ${round}, ${signal}: nothing acknowledged is lost`, async () => {
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify(
          manifest(['sensor', 'filter'], {
            r: 'FROM /messages/modules/sensor/outputs/out INTO BrokeredEndpoint("/modules/filter/inputs/in")',
          }),
        ),
      );
      const args = ['--data', dir, '--metrics-port', 'off'];
      const first = await startHubProcess(args);
      const device = JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8')) as Device;
      const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
      const killAfter = 300 + Math.floor(Math.random() * 900);
      const { acked, sent } = await sendUntilKilled(first.ports.mqtts, device, ca, round, killAfter, () =>
        first.child.kill('SIGKILL'),
      );
      const exit = await first.exited;
      assert.equal(exit.signal, 'SIGKILL');
      assert.ok(acked.size > 0, 'the hub acknowledged messages before it was killed');

      const second = await startHubProcess(args);
      try {
        const cs = formatConnectionString({
          hostName: device.iothubHostName,
          gatewayHostName: `127.0.0.1:${second.ports.mqtts}`,
          deviceId: device.deviceId,
          moduleId: 'filter',
          sharedAccessKey: deriveModuleKey(device.deviceKey, 'filter'),
        });
        const filter = azureDevice.ModuleClient.fromConnectionString(cs, azureMqtt.Mqtt);
        await filter.setOptions({ ca });
        const received = new Set<string>();
        filter.on('inputMessage', (_input: string, msg: InstanceType<typeof azureDevice.Message>) =>
          received.add(msg.getBytes().toString()),
        );
        await filter.open();
        const deadline = Date.now() + 60_000;
        const missing = () => [...acked].filter((b) => !received.has(b));
        while (missing().length > 0 && Date.now() < deadline) await sleep(200);
        await filter.close();
        console.log(
          `round ${round}: killed after ${killAfter} ms; sent ${sent}, acknowledged ${acked.size}, received ${received.size} of this round and before`,
        );
        assert.deepEqual(missing().slice(0, 10), [], `${missing().length} acknowledged messages lost`);
      } finally {
        second.child.kill('SIGTERM');
        const stop = await second.exited;
        assert.equal(stop.code, 0, 'SIGTERM drains and exits 0');
      }
    });
  }
});
