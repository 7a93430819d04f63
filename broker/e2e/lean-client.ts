// A lean MQTT 3.1.1 client for the reliability suites: mqtt-packet for encoding and parsing, a raw socket, and
// nothing else (no reconnects, no queue, no timers). It does what a module does on the wire — CONNECT with a
// SAS token, QoS 1 PUBLISH, SUBSCRIBE, PUBACK — and lets a test do what a careless module does: never
// acknowledge, or stop reading its socket. Crash trials open hundreds of connections; this one costs little.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { deriveModuleKey } from '../../manifest/index.js';
import { createSasToken } from '../auth/sas.js';

/** The device identity a hub's data folder holds (device.json). */
export interface DeviceLogin {
  readonly deviceId: string;
  readonly iothubHostName: string;
  readonly deviceKey: string;
}

export interface LeanOptions {
  readonly port: number;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  /** TLS with this CA; plain TCP without. */
  readonly ca?: string;
  /** Acknowledge received QoS 1 publishes (default true). */
  readonly ack?: boolean;
  readonly connectTimeoutMs?: number;
}

/** CONNECT fields for module `moduleId` of `device`, as the Azure IoT SDK sends them. */
export function moduleLogin(
  device: DeviceLogin,
  moduleId: string,
): Pick<LeanOptions, 'clientId' | 'username' | 'password'> {
  const clientId = `${device.deviceId}/${moduleId}`;
  return {
    clientId,
    username: `${device.iothubHostName}/${clientId}/?api-version=2021-04-12`,
    password: createSasToken(
      `${device.iothubHostName}/devices/${device.deviceId}/modules/${moduleId}`,
      deriveModuleKey(device.deviceKey, moduleId),
      Math.floor(Date.now() / 1000) + 3600,
    ),
  };
}

/** The telemetry topic of module `moduleId`, to output `output`. */
export function outputTopic(deviceId: string, moduleId: string, output: string): string {
  return `devices/${deviceId}/modules/${moduleId}/messages/events/%24.on=${output}/`;
}

export class LeanClient {
  private nextId = 1;
  /** Callbacks of QoS 1 publishes (and SUBSCRIBEs) waiting for their PUBACK (SUBACK), by packet id. */
  private readonly pending = new Map<number, (packet: Packet) => void>();
  /** Received publishes: topic, payload. */
  onMessage: (topic: string, payload: Buffer) => void = () => {};
  readonly closed: Promise<void>;
  private isClosed = false;

  private constructor(
    readonly socket: Socket,
    private readonly ack: boolean,
  ) {
    // Not events.once: it rejects on 'error' (ECONNRESET when the hub is killed), and 'close' follows anyway.
    this.closed = new Promise<void>((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.pending.clear(); // nothing in flight on a dead connection was acknowledged
        resolve();
      }),
    );
    socket.on('error', () => undefined);
  }

  /** Connects and waits for CONNACK; rejects with the return code when the hub refuses. */
  static async connect(opts: LeanOptions): Promise<LeanClient> {
    const socket = opts.ca
      ? tlsConnect({ host: '127.0.0.1', port: opts.port, ca: opts.ca, servername: 'localhost' })
      : netConnect({ host: '127.0.0.1', port: opts.port });
    socket.setNoDelay(true);
    const client = new LeanClient(socket, opts.ack ?? true);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const connack = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no CONNACK for ${opts.clientId} within ${opts.connectTimeoutMs ?? 5000} ms`));
      }, opts.connectTimeoutMs ?? 5000);
      void client.closed.then(() => {
        clearTimeout(timer);
        reject(new Error(`connection of ${opts.clientId} closed before CONNACK`));
      });
      parser.on('packet', (packet: Packet) => {
        if (packet.cmd === 'connack') {
          clearTimeout(timer);
          if (packet.returnCode === 0) resolve();
          else {
            socket.destroy();
            reject(Object.assign(new Error(`CONNACK ${packet.returnCode}`), { code: packet.returnCode }));
          }
        } else client.received(packet);
      });
    });
    parser.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: opts.clientId,
        clean: false,
        keepalive: 0,
        username: opts.username,
        password: Buffer.from(opts.password),
      }),
    );
    await connack;
    return client;
  }

  private received(packet: Packet): void {
    if (packet.cmd === 'puback' || packet.cmd === 'suback') {
      const id = packet.messageId ?? 0;
      const done = this.pending.get(id);
      this.pending.delete(id);
      done?.(packet);
    } else if (packet.cmd === 'publish') {
      this.onMessage(packet.topic, typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload);
      if (this.ack && packet.qos > 0)
        this.socket.write(mqttPacket.generate({ cmd: 'puback', messageId: packet.messageId }));
    }
  }

  private packetId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextId;
      this.nextId = id === 65535 ? 1 : id + 1;
      if (!this.pending.has(id)) return id;
    }
    throw new Error('65535 packets in flight');
  }

  get connected(): boolean {
    return !this.isClosed;
  }

  /** Publishes and never waits for the PUBACK: `acked` runs when it arrives, never if the connection dies first. */
  publishQos1(topic: string, payload: Buffer | string, acked: () => void): void {
    if (this.isClosed) return;
    const messageId = this.packetId();
    this.pending.set(messageId, acked);
    this.socket.write(
      mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 1, messageId, retain: false, dup: false }),
    );
  }

  /** QoS 0: nothing comes back. */
  publishQos0(topic: string, payload: Buffer | string): void {
    if (this.isClosed) return;
    this.socket.write(mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }));
  }

  /** Subscribes at QoS 1 and resolves with the granted QoS of each filter. */
  subscribe(filters: readonly string[]): Promise<number[]> {
    const messageId = this.packetId();
    return new Promise<number[]>((resolve, reject) => {
      if (this.isClosed) {
        reject(new Error('connection closed'));
        return;
      }
      void this.closed.then(() => reject(new Error('connection closed before SUBACK')));
      this.pending.set(messageId, (p) => resolve(p.cmd === 'suback' ? (p.granted as number[]) : []));
      this.socket.write(
        mqttPacket.generate({
          cmd: 'subscribe',
          messageId,
          subscriptions: filters.map((topic) => ({ topic, qos: 1 })),
        }),
      );
    });
  }

  /** Sends DISCONNECT and closes. */
  async end(): Promise<void> {
    if (!this.isClosed) this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
    await this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
