// End-to-end test harness: a real hub on 127.0.0.1 with its own temp data folder and free ports, and real
// Azure IoT SDK module clients connected to it over MQTT/TLS, exactly as an unmodified module would connect.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { Writable, type Duplex } from 'node:stream';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import azureDevice from 'azure-iot-device';
import azureAmqp from 'azure-iot-device-amqp';
import azureMqtt from 'azure-iot-device-mqtt';
import mqtt from 'mqtt';
import { buildManifest, deriveModuleKey, formatConnectionString, type RouteEntry } from '../../manifest/index.js';
import { createSasToken } from '../auth/sas.js';
import { Hub, type HubOptions } from '../hub.js';
import { createLogger, type Logger, type LogOptions } from '../log.js';

const { ModuleClient, Message } = azureDevice;
export type SdkModuleClient = InstanceType<typeof ModuleClient>;
export type SdkMessage = InstanceType<typeof Message>;
export { Message };

/** A JSON logger for a hub under test whose lines are kept, parsed, in `lines` (the first `limit` of them). */
export function collectingLogger(
  level: LogOptions['level'] = 'info',
  limit = Number.POSITIVE_INFINITY,
): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n'))
        if (l.startsWith('{') && lines.length < limit) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ format: 'json', level, destination }), lines };
}

/** A deployment manifest with these modules and routes (schema 1.1). */
export function manifest(
  modules: readonly string[],
  routes: Readonly<Record<string, RouteEntry>>,
  timeToLiveSecs = 7200,
): object {
  return buildManifest({ modules, routes, timeToLiveSecs });
}

/** The SDK transports the harness connects with. */
export type Transport = 'mqtt' | 'amqp' | 'mqttws' | 'amqpws';

/**
 * An HTTPS agent that dials `port` whatever the URL says: the SDK's WebSocket transports always dial 443
 * (`wss://{gateway}:443/$iothub/websocket`), and their `webSocketAgent` option is the only way to reach a hub
 * listening elsewhere without binding 443.
 */
class PortAgent extends https.Agent {
  constructor(private readonly port: number) {
    super({ keepAlive: false });
  }

  override createConnection(options: https.RequestOptions): Duplex {
    return tls.connect({ ...(options as tls.ConnectionOptions), port: this.port });
  }
}

export class TestHub {
  private constructor(
    readonly hub: Hub,
    readonly dir: string,
  ) {}

  static async start(config: object, options: Partial<HubOptions> = {}, dir?: string): Promise<TestHub> {
    dir ??= mkdtempSync(join(tmpdir(), 'edgehub-e2e-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
    const hub = await Hub.start({
      dataDir: dir,
      host: '127.0.0.1',
      mqttsPort: 0,
      amqpsPort: 0,
      httpsPort: -1, // 443 is for the one suite that tests WebSockets on it
      metricsPort: 0,
      configPollMs: 100,
      ...options,
    });
    return new TestHub(hub, dir);
  }

  get configPath(): string {
    return join(this.dir, 'config.json');
  }

  /** Replaces the configuration file (the hub picks it up within its poll interval). */
  writeConfig(config: object | string): void {
    writeFileSync(this.configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  }

  /** A module's connection string; the gateway's port is the one `transport` connects to. */
  connectionString(moduleId: string, key?: string, transport: Transport = 'mqtt'): string {
    const d = this.hub.device;
    const port = transport === 'amqp' ? this.hub.ports.amqps : this.hub.ports.mqtts;
    return formatConnectionString({
      hostName: d.iothubHostName,
      // WebSocket transports append `:443` themselves: the gateway must be a bare host name.
      gatewayHostName: transport === 'mqttws' || transport === 'amqpws' ? '127.0.0.1' : `127.0.0.1:${port}`,
      deviceId: d.deviceId,
      moduleId,
      sharedAccessKey: key ?? deriveModuleKey(d.deviceKey, moduleId),
    });
  }

  get ca(): string {
    return readFileSync(join(this.dir, 'ca.pem'), 'utf8');
  }

  /** An SDK ModuleClient over MQTT (or `transport`), opened, trusting the hub's edge CA (as EdgeModuleCACertificateFile does). */
  async module(
    moduleId: string,
    opts: {
      key?: string;
      tokenRenewal?: { tokenValidTimeInSeconds: number; tokenRenewalMarginInSeconds: number };
      transport?: Transport;
    } = {},
  ): Promise<SdkModuleClient> {
    const transport = opts.transport ?? 'mqtt';
    const client = ModuleClient.fromConnectionString(
      this.connectionString(moduleId, opts.key, transport),
      { mqtt: azureMqtt.Mqtt, amqp: azureAmqp.Amqp, mqttws: azureMqtt.MqttWs, amqpws: azureAmqp.AmqpWs }[transport],
    );
    const httpsPort = this.hub.ports.https;
    const agent =
      httpsPort !== undefined && httpsPort !== 443 ? { webSocketAgent: new PortAgent(httpsPort) } : undefined;
    // One setOptions call with everything: the MQTT transport replaces its options on each call (protocol.md §1.4).
    await client.setOptions({
      ca: this.ca,
      ...(opts.tokenRenewal ? { tokenRenewal: opts.tokenRenewal } : {}),
      ...(agent && transport === 'mqttws' ? { mqtt: agent } : {}),
      ...(agent && transport === 'amqpws' ? { amqp: agent } : {}),
    });
    try {
      await client.open();
    } catch (err) {
      // A failed open leaves the SDK's token-renewal timer running: it would keep the test process alive.
      await client.close().catch(() => undefined);
      throw err;
    }
    return client;
  }

  /** A SAS token for a module, as the SDK makes it. */
  token(moduleId: string, opts: { key?: string; expiry?: number } = {}): string {
    const d = this.hub.device;
    return createSasToken(
      `${d.iothubHostName}/devices/${d.deviceId}/modules/${moduleId}`,
      opts.key ?? deriveModuleKey(d.deviceKey, moduleId),
      opts.expiry ?? Math.floor(Date.now() / 1000) + 3600,
    );
  }

  /** A plain MQTT client (mqtt.js, no automatic reconnect) logged in as `moduleId`, or as `clientId` with its token. */
  rawClient(moduleId: string, opts: { clientId?: string; password?: string } = {}): Promise<mqtt.MqttClient> {
    const d = this.hub.device;
    const clientId = opts.clientId ?? `${d.deviceId}/${moduleId}`;
    return mqtt.connectAsync(`mqtts://127.0.0.1:${this.hub.ports.mqtts}`, {
      clientId,
      username: `${d.iothubHostName}/${clientId}/?api-version=2021-04-12`,
      password: opts.password ?? this.token(moduleId),
      protocolVersion: 4,
      clean: false,
      ca: this.ca,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
  }

  async stop(keepDir = false): Promise<void> {
    await this.hub.close();
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Collects input messages of a module client, with a way to wait for a count. */
export class Inbox {
  readonly messages: { input: string; message: SdkMessage }[] = [];
  private waiters: (() => void)[] = [];

  constructor(client: SdkModuleClient) {
    client.on('inputMessage', (input: string, message: SdkMessage) => {
      this.messages.push({ input, message });
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} input messages; got ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  bodies(): string[] {
    return this.messages.map((m) => m.message.getBytes().toString());
  }
}

export function jsonMessage(body: unknown, properties: Record<string, string> = {}): SdkMessage {
  const m = new Message(JSON.stringify(body));
  m.contentType = 'application/json';
  m.contentEncoding = 'utf-8';
  for (const [k, v] of Object.entries(properties)) m.properties.add(k, v);
  return m;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
