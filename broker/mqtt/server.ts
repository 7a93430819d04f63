// The MQTT head: aedes as the MQTT 3.1.1 protocol engine, behind a TLS listener (the SDK always uses TLS) and an
// optional plain one (in-cluster tools, benchmarks). aedes parses packets, runs the connect flow and keeps
// sessions; ingest happens in its authorizePublish hook, and deliveries bypass its pub/sub (see input-target.ts).
import { createServer as createNetServer, Socket as NetSocket, type Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { Client } from 'aedes';
import type { Identity } from '../auth/identity.js';
import { listen } from '../net/listen.js';
import type { SessionStore } from '../core/ports.js';
import { makeAuthenticate } from './connect.js';
import { HubBroker } from './hub-broker.js';
import type { MqttContext } from './context.js';
import { MqttInputTarget } from './input-target.js';
import { PacketSizeGuard } from './packet-size-guard.js';
import { installFastPath, type FastPathHandlers } from './fast-path.js';
import { makeAuthorizePublish, makeFastTelemetry } from './publish.js';
import { SessionPersistence } from './session-persistence.js';
import { makeAuthorizeSubscribe } from './subscribe.js';
import { mqttMethodChannel } from './methods.js';
import { DESIRED_PATCHES_FILTER, inputsFilter, METHODS_FILTER } from './topics.js';
import { desiredSender } from './twin.js';

/** What a connected client has registered beyond inputs: desired patches and method calls. */
interface Registrations {
  desired?: () => void;
  methods?: () => void;
}

export interface MqttListenOptions {
  readonly host: string;
  /** TLS listener (8883); the key pair is the hub's server certificate. */
  readonly tls?: { readonly port: number; readonly cert: string; readonly key: string };
  /** Plain TCP listener; off unless asked for. */
  readonly plainPort?: number;
}

export interface MqttPorts {
  readonly mqtts?: number;
  readonly mqtt?: number;
}

export class MqttHead {
  private readonly broker: HubBroker;
  private readonly persistence: SessionPersistence;
  private readonly targets = new Map<Client, MqttInputTarget>();
  private readonly registrations = new Map<Client, Registrations>();
  private readonly servers: (NetServer | TlsServer)[] = [];
  private readonly sockets = new Set<Duplex>();
  /** Telemetry and delivery PUBACKs read without aedes (fast-path.ts), unless turned off. */
  private readonly fastPath: FastPathHandlers | undefined;
  private fastPathWarned = false;

  private constructor(
    private readonly ctx: MqttContext,
    broker: HubBroker,
    persistence: SessionPersistence,
    fastPath: boolean,
  ) {
    this.broker = broker;
    this.persistence = persistence;
    const puback = (client: Client, messageId: number) => this.targets.get(client)?.puback(messageId);
    persistence.onPuback = puback;
    this.fastPath = fastPath ? { publish: makeFastTelemetry(ctx), puback } : undefined;
    ctx.metrics.countConnected('mqtt', () => broker.connectedClients);
    broker.on('clientReady', (client) => {
      const identity = ctx.identities.get(client);
      ctx.metrics.clientConnectSuccess.inc({ id: identity?.id ?? 'unknown' });
      ctx.log.info(
        { event: 'mqtt.client.connected', client: client.id, clean: client.clean },
        `${client.id} connected`,
      );
      this.refreshInputs(client);
    });
    broker.on('clientDisconnect', (client) => {
      ctx.metrics.clientDisconnect.inc({ id: ctx.identities.get(client)?.id ?? 'unknown' });
      ctx.log.info({ event: 'mqtt.client.disconnected', client: client.id }, `${client.id} disconnected`);
      this.detach(client);
    });
    broker.on('subscribe', (_subs, client) => this.refreshInputs(client));
    broker.on('unsubscribe', (_subs, client) => this.refreshInputs(client));
    broker.on('clientError', (client, err) => {
      ctx.log.info({ event: 'mqtt.client.error', client: client.id, err: err.message }, `${client.id}: ${err.message}`);
    });
    broker.on('connectionError', (_client, err) => {
      ctx.log.info(
        { event: 'mqtt.connection.error', err: err.message },
        `connection closed before CONNECT completed: ${err.message}`,
      );
    });
  }

  static async create(
    ctx: MqttContext,
    sessions: SessionStore,
    opts: { connectTimeoutMs: number; fastPath?: boolean },
  ): Promise<MqttHead> {
    const persistence = new SessionPersistence(sessions);
    // Packets the hub ingested in authorizePublish: aedes's own publish skips them (hub-broker.ts).
    const ingested = new WeakSet<object>();
    const broker = await HubBroker.start(
      {
        persistence,
        authenticate: makeAuthenticate(ctx),
        authorizePublish: makeAuthorizePublish(ctx, (packet) => ingested.add(packet)),
        authorizeSubscribe: makeAuthorizeSubscribe(ctx),
        // Client ids are `{device}/{module}`: longer than MQTT 3.1's 23 characters.
        maxClientsIdLength: 256,
        connectTimeout: opts.connectTimeoutMs,
        heartbeatInterval: 3_600_000,
      },
      (packet) => ingested.delete(packet),
    );
    return new MqttHead(ctx, broker, persistence, opts.fastPath ?? true);
  }

  /**
   * Attaches or detaches a module's input deliveries, desired patches and method calls to match its connection
   * and its session's subscriptions (which the session keeps: the SDK does not resubscribe the twin topics).
   */
  private refreshInputs(client: Client): void {
    const identity: Identity | undefined = this.ctx.identities.get(client);
    if (!identity) return;
    this.refreshRegistrations(client, identity);
    if (identity.moduleId === undefined) return;
    const qos = this.persistence.qosOf(client.id, inputsFilter(identity.deviceId, identity.moduleId));
    const subscribed = qos !== undefined;
    const live = client.connected && !client.closed;
    const current = this.targets.get(client);
    if (subscribed && current) current.qos = qos === 0 ? 0 : 1;
    if (subscribed && live && !current) {
      const target = new MqttInputTarget(client, identity.deviceId, identity.moduleId);
      target.qos = qos === 0 ? 0 : 1;
      this.targets.set(client, target);
      this.ctx.endpoints.attachModule(identity.moduleId, target);
    } else if ((!subscribed || !live) && current) {
      this.detachInputs(client);
    }
  }

  private refreshRegistrations(client: Client, identity: Identity): void {
    const live = client.connected && !client.closed;
    let regs = this.registrations.get(client);
    if (!regs) {
      if (!live) return;
      this.registrations.set(client, (regs = {}));
    }
    const wantsDesired = live && this.persistence.qosOf(client.id, DESIRED_PATCHES_FILTER) !== undefined;
    if (wantsDesired && !regs.desired) regs.desired = this.ctx.twins.watch(identity.id, desiredSender(client));
    else if (!wantsDesired && regs.desired) {
      regs.desired();
      regs.desired = undefined;
    }
    const wantsMethods = live && this.persistence.qosOf(client.id, METHODS_FILTER) !== undefined;
    if (wantsMethods && !regs.methods) regs.methods = this.ctx.methods.register(identity.id, mqttMethodChannel(client));
    else if (!wantsMethods && regs.methods) {
      regs.methods();
      regs.methods = undefined;
    }
    if (!live) this.registrations.delete(client);
  }

  private detach(client: Client): void {
    const regs = this.registrations.get(client);
    if (regs) {
      regs.desired?.();
      regs.methods?.();
      this.registrations.delete(client);
    }
    this.detachInputs(client);
  }

  private detachInputs(client: Client): void {
    const target = this.targets.get(client);
    if (!target) return;
    this.targets.delete(client);
    this.ctx.endpoints.detachModule(target.moduleId, target);
  }

  /** Serves one client on a WebSocket stream (MqttWs), handed over by the HTTPS listener. */
  handleStream(stream: Duplex): void {
    this.track(stream);
  }

  private track(socket: Duplex): void {
    if (socket instanceof NetSocket) socket.setNoDelay(true); // a 4 KB message waits ~3 ms under Nagle (NOTES)
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {}); // aedes reports connection errors; an unhandled one must not end the process
    // With aedes's 'readable' listener in control, 'data' sees exactly the chunks aedes reads, as it reads them.
    const guard = new PacketSizeGuard();
    socket.on('data', (chunk: Buffer) => {
      const size = guard.feed(chunk);
      if (size === undefined) return;
      const client = (socket as Duplex & { client?: Client }).client;
      this.ctx.log.warn(
        { event: 'mqtt.packet.oversize', client: client?.id?.slice(0, 200), size, limit: guard.limit },
        `connection closed: a packet announces ${size} bytes, over the limit of ${guard.limit}`,
      );
      socket.destroy();
    });
    const client = this.broker.handle(socket);
    if (this.fastPath && !installFastPath(client, this.fastPath) && !this.fastPathWarned) {
      this.fastPathWarned = true;
      this.ctx.log.warn(
        { event: 'mqtt.fast_path.unavailable' },
        'this aedes version does not have the client state the MQTT fast path was written for: aedes reads every packet',
      );
    }
  }

  async listen(opts: MqttListenOptions): Promise<MqttPorts> {
    const ports: { mqtts?: number; mqtt?: number } = {};
    if (opts.tls) {
      const tls = createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, (socket: TLSSocket) =>
        this.track(socket),
      );
      tls.on('tlsClientError', (err) =>
        this.ctx.log.info({ event: 'mqtt.tls.error', err: err.message }, `TLS handshake failed: ${err.message}`),
      );
      ports.mqtts = await this.bind(tls, opts.tls.port, opts.host, 'MQTT over TLS');
    }
    if (opts.plainPort !== undefined) {
      const plain = createNetServer((socket) => this.track(socket));
      ports.mqtt = await this.bind(plain, opts.plainPort, opts.host, 'plain MQTT');
    }
    return ports;
  }

  private async bind(server: NetServer | TlsServer, port: number, host: string, what: string): Promise<number> {
    const bound = await listen(server, port, host, what);
    this.servers.push(server);
    return bound;
  }

  /** Replaces the TLS key pair for new connections (certificate rotation). */
  setTlsCredentials(cert: string, key: string): void {
    for (const s of this.servers) if ('setSecureContext' in s) s.setSecureContext({ cert, key });
  }

  /** Closes the connections of identities that may no longer connect (a module removed from the manifest). */
  revoke(allowed: (identity: Identity) => boolean): number {
    let closed = 0;
    for (const socket of this.sockets) {
      const client = (socket as Duplex & { client?: Client }).client;
      const identity = client ? this.ctx.identities.get(client) : undefined;
      if (client && identity && !allowed(identity)) {
        this.ctx.log.warn(
          { event: 'mqtt.client.revoked', client: client.id },
          `${client.id} disconnected: no longer in the deployment manifest`,
        );
        client.close();
        closed++;
      }
    }
    return closed;
  }

  private serversClosed: Promise<void> | undefined;

  /** Stops accepting connections; those already open go on until close(). */
  stopAccepting(): void {
    this.serversClosed ??= Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    ).then(() => undefined);
  }

  /** Closes every connection and the broker. */
  async close(): Promise<void> {
    this.stopAccepting();
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await this.serversClosed;
  }
}
