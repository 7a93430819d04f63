// The hub, assembled: store → group commit → endpoints → ingest → protocol heads, plus configuration, metrics
// and lifecycle. The composition root: decisions live in the parts, this file only wires them.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RouteTable } from '../routing/index.js';
import type { Credentials, Identity } from './auth/identity.js';
import { loadHubConfig, type HubConfig } from './config/load.js';
import { readSecretFiles, type SecretFiles } from './config/secret-files.js';
import { watchConfig, type ConfigWatcher } from './config/watch.js';
import { GroupCommit } from './core/commit.js';
import { DEFAULT_DISPATCHER_OPTIONS, type DispatcherOptions } from './core/dispatcher.js';
import { Endpoints, sinkOfEndpointId } from './core/endpoints.js';
import { Ingest, type RoutingState } from './core/ingest.js';
import { SystemProperty } from './core/message.js';
import { ControlServer } from './local/control-server.js';
import {
  dataFolder,
  ensureSampleConfig,
  ensureWritable,
  loadOrCreateDevice,
  loadOrCreateTls,
  type DeviceIdentity,
} from './local/data-folder.js';
import { silentLogger, type Logger } from './log.js';
import { HubMetrics, senderId } from './metrics/hub-metrics.js';
import { OpsServer } from './metrics/server.js';
import { AmqpHead } from './amqp/server.js';
import { AmqpTwinMethods } from './amqp/twin-methods.js';
import { DEFAULT_AMQP_LIMITS, type AmqpLimits } from './amqp/context.js';
import { mqttInputCheck } from './mqtt/input-target.js';
import { HttpsHead } from './http/server.js';
import { MqttHead } from './mqtt/server.js';
import { handleMethodsRequest, METHODS_PATH, type MethodsHttpContext } from './methods/http-invoke.js';
import { Methods } from './methods/methods.js';
import { Twins } from './twin/twins.js';
import { SqliteStore, type Durability } from './store/sqlite-store.js';
import { UpstreamMetrics } from './metrics/upstream-metrics.js';
import { DEFAULT_UPSTREAM_SETTINGS, parseUpstreamConnectionString, type UpstreamSettings } from './upstream/options.js';
// Loaded when an upstream is configured: the Azure IoT device SDK is ~10 MB of JS heap a hub without one never needs.
import type { UpstreamLink } from './upstream/upstream-link.js';

export interface HubOptions {
  /** Where the store lives (and, locally, the device identity, certificates and sample configuration). */
  readonly dataDir: string;
  /** The configuration (a deployment manifest). Default: `<dataDir>/config.json`, created with a sample. */
  readonly configPath?: string;
  /** Listen address for every port. */
  readonly host?: string;
  /** MQTT over TLS (default 8883; 0 = any free port). */
  readonly mqttsPort?: number;
  /** Plain MQTT; off unless given. */
  readonly mqttPort?: number;
  /** AMQP over TLS (default 5671; 0 = any free port; -1 = off). */
  readonly amqpsPort?: number;
  /** Plain AMQP; off unless given. */
  readonly amqpPort?: number;
  /** Limits per AMQP connection (links, sessions, frame size, time to authenticate). */
  readonly amqpLimits?: Partial<AmqpLimits>;
  /**
   * HTTPS and WebSockets (MqttWs, AmqpWs) on one TLS listener (default 443; 0 = any free port; -1 = off). The SDK
   * hard-codes 443 for WebSockets. When the default cannot be bound for want of privileges it is left off, with a
   * warning; a port given explicitly must bind.
   */
  readonly httpsPort?: number;
  /** Metrics and health (default 9600; 0 = any free port; -1 = off). */
  readonly metricsPort?: number;
  /** The device identity; default: the data folder's, created on first start. */
  readonly device?: DeviceIdentity;
  /** The server key pair; default: issued by the data folder's edge CA, created on first start. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** The server key pair as files, re-read when they change (a rotated Kubernetes Secret). Wins over `tls`. */
  readonly tlsFiles?: { readonly cert: string; readonly key: string };
  /** The device key as a file, re-read when it changes; with `device` it replaces `device.deviceKey`. */
  readonly deviceKeyFile?: string;
  /** Where modules find the edge CA (EdgeModuleCACertificateFile), when it is not the data folder's. */
  readonly caPath?: string;
  /** Extra names for the server certificate and for token host names (external DNS names). */
  readonly hostNames?: readonly string[];
  readonly durability?: Durability;
  readonly logger?: Logger;
  readonly dispatcher?: Partial<DispatcherOptions>;
  /** How often expired messages of offline endpoints are swept (ms). */
  readonly sweepIntervalMs?: number;
  /** How long a new connection may take to send CONNECT (ms). */
  readonly mqttConnectTimeoutMs?: number;
  /**
   * Read modules' telemetry and PUBACKs without aedes's packet pipeline (broker/mqtt/fast-path.ts; default on).
   * Off, aedes reads every packet, as before 0.1's fast path: kept for comparison and as a way out.
   */
  readonly mqttFastPath?: boolean;
  /** How often the configuration file is checked for changes (ms). */
  readonly configPollMs?: number;
  /** Where `$upstream` goes (IoT Hub or a parent edgehub); without it those messages stay queued until their TTL. */
  readonly upstream?: Partial<UpstreamSettings> & { readonly connectionString: string };
  /** The operator's control socket (`edgehub twin`, `edgehub method`); default `<dataDir>/control.sock`; false = none. */
  readonly controlSocket?: string | false;
}

export interface HubPorts {
  readonly mqtts?: number;
  readonly mqtt?: number;
  readonly amqps?: number;
  readonly amqp?: number;
  readonly https?: number;
  readonly metrics?: number;
}

export class Hub {
  private config: HubConfig | undefined;
  private routingState: RoutingState;
  private credentials: Credentials;
  private watcher: ConfigWatcher | undefined;
  private secretWatchers: SecretFiles[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private ops: OpsServer | undefined;
  private control: ControlServer | undefined;
  private mqtt: MqttHead | undefined;
  private amqp: AmqpHead | undefined;
  private upstreamLink: UpstreamLink | undefined;
  private https: HttpsHead | undefined;
  private closing: Promise<void> | undefined;
  private listening = false;
  ports: HubPorts = {};

  readonly metrics: HubMetrics;
  readonly commit: GroupCommit;
  readonly endpoints: Endpoints;
  readonly ingest: Ingest;
  readonly twins: Twins;
  readonly methods: Methods;
  /** What the HTTPS methods route (POST /twins/{d}/modules/{m}/methods) needs, for the 443 listener. */
  readonly methodsHttp: MethodsHttpContext;

  private constructor(
    readonly options: HubOptions,
    readonly device: DeviceIdentity,
    readonly configPath: string,
    readonly caPath: string | undefined,
    private readonly tls: { cert: string; key: string },
    readonly store: SqliteStore,
    readonly log: Logger,
  ) {
    const names = [device.iothubHostName, 'edgehub', 'localhost', hostname(), ...(options.hostNames ?? [])];
    this.credentials = {
      deviceId: device.deviceId,
      deviceKey: device.deviceKey,
      hostNames: new Set(names.map((n) => n.toLowerCase())),
      modules: new Set(),
    };
    this.routingState = { table: RouteTable.empty, timeToLiveSecs: -1 };
    this.metrics = new HubMetrics(
      { iothub: device.iothubHostName, edgeDevice: device.deviceId },
      () => store.sizeOnDisk(),
      () => this.endpoints.lengths(),
      () => store.walStats(),
    );
    const m = this.metrics;
    this.commit = new GroupCommit(store, {
      committed: (appends) => this.endpoints.dispatch(appends),
      measured: (appends, _releases, seconds) => {
        if (appends > 0) m.commitBatchSize.observe(appends);
        m.commitDuration.observe(seconds);
      },
      failed: (err, appends) =>
        log.error(
          { event: 'store.commit.failed', err, messages: appends.length },
          `store commit failed: ${err.message}`,
        ),
    });
    this.endpoints = new Endpoints(
      store,
      this.commit,
      {
        delivered: (entry, _target, sendSeconds) => {
          const sys = entry.message.systemProperties;
          const d = m.delivering(
            entry.endpointId,
            sys[SystemProperty.connectionDeviceId] ?? '',
            sys[SystemProperty.connectionModuleId],
            sys[SystemProperty.outputName] ?? '',
            entry.priority,
          );
          d.sent.inc();
          d.sendDuration.observe(sendSeconds);
          d.processDuration.observe((Date.now() - entry.message.enqueuedMs) / 1000);
        },
        expired: (_endpointId, _priority, sys) => m.dropped('ttl_expiry', sys),
        failed: (entry, target, err) => {
          const sys = entry.message.systemProperties;
          m.dropped('delivery_failed', sys);
          // The routes that lead there now (the message may be older than the configuration).
          const routes = this.routingState.table
            .evaluate(entry.message)
            .filter((r) => r.endpointId === entry.endpointId)
            .map((r) => r.routeName);
          const sink = sinkOfEndpointId(entry.endpointId);
          log.error(
            {
              event: 'delivery.failed',
              endpoint: entry.endpointId,
              module: sink?.kind === 'module' ? sink.moduleId : undefined,
              input: sink?.kind === 'module' ? sink.input : undefined,
              client: target.name,
              from: senderId(sys[SystemProperty.connectionDeviceId] ?? '', sys[SystemProperty.connectionModuleId]),
              routes,
              messageId: sys[SystemProperty.messageId],
              err: err.message,
            },
            `message to ${entry.endpointId} dropped, it cannot be sent: ${err.message}`,
          );
        },
      },
      { ...DEFAULT_DISPATCHER_OPTIONS, ...options.dispatcher },
    );
    this.ingest = new Ingest(
      this.commit,
      () => this.routingState,
      device.deviceId,
      {
        routed: (_msg, _matches, seconds) => m.routeEvaluation.observe(seconds),
        undeliverable: (msg, match, reason) => {
          const sys = msg.systemProperties;
          const from = senderId(sys[SystemProperty.connectionDeviceId] ?? '', sys[SystemProperty.connectionModuleId]);
          m.dropped('undeliverable', sys);
          log.warn(
            { event: 'route.undeliverable', from, route: match.routeName, endpoint: match.endpointId, reason },
            `message from ${from} not stored for ${match.endpointId} (route ${match.routeName}): ${reason}`,
          );
        },
      },
      mqttInputCheck(device.deviceId),
    );
    const twinLog = log.child({ component: 'twin' });
    this.twins = new Twins(store, device.deviceId, twinLog, {
      read: (id) => m.getTwin.inc({ source: 'edgehub', id, ms_telemetry: 'True' }),
      reported: (id) => m.reportedProperties.inc({ target: 'edgehub', id, ms_telemetry: 'True' }),
      // A reported change, routed like telemetry (FROM /twinChangeNotifications); a failed commit is logged.
      notify: (message) =>
        this.ingest.accept(message, (err) => {
          if (err)
            twinLog.error(
              { event: 'twin.notification.failed', err: err.message },
              `twin change notification not stored: ${err.message}`,
            );
        }),
    });
    this.methods = new Methods(log.child({ component: 'methods' }), (from, target, seconds) => {
      // A target is named by the caller: only configured or connected identities become label values.
      const moduleId = target.split('/')[1];
      const known = moduleId === undefined ? target === device.deviceId : this.config?.modules?.has(moduleId) === true;
      const to = known || this.methods.connected(target) ? target : 'unknown';
      m.directMethods.inc({ from, to, ms_telemetry: 'True' });
      m.directMethodDuration.child({ from, to }).observe(seconds);
    });
    this.methodsHttp = {
      credentials: () => this.credentials,
      methods: this.methods,
      log: log.child({ component: 'methods' }),
    };
  }

  /** Starts a hub; rejects with a clear message when the data folder is not writable or a port is taken. */
  static async start(options: HubOptions): Promise<Hub> {
    const log = options.logger ?? silentLogger();
    const folder = dataFolder(options.dataDir);
    const full = ensureWritable(folder.dir);
    if (full) log.warn({ event: 'hub.data.full', path: folder.dir }, full);
    let device = options.device;
    if (!device) {
      const d = loadOrCreateDevice(folder);
      device = d.device;
      if (d.created)
        log.info(
          { event: 'hub.device.created', path: folder.devicePath, deviceId: device.deviceId },
          `new device identity in ${folder.devicePath}`,
        );
    }
    let tls = options.tls;
    let caPath = options.caPath;
    if (options.tlsFiles) {
      tls = readSecretFiles(
        options.tlsFiles,
        () => undefined,
        () => undefined,
      ).contents;
    } else if (!tls) {
      const t = loadOrCreateTls(folder, options.hostNames ?? []);
      tls = t.server;
      caPath = t.caPath;
      for (const path of t.created) log.info({ event: 'hub.tls.created', path }, `created ${path}`);
    }
    let configPath = options.configPath;
    if (configPath === undefined) {
      configPath = folder.configPath;
      if (ensureSampleConfig(folder))
        log.info({ event: 'hub.config.sample', path: configPath }, `wrote a sample configuration to ${configPath}`);
    }
    const store = new SqliteStore({
      path: folder.storePath,
      durability: options.durability,
      onCheckpointFailure: (err) =>
        log.error(
          { event: 'store.checkpointer.failed', err: err.message },
          `WAL checkpoints back on the main thread: ${err.message}`,
        ),
      onWriteHoldTimeout: (ms) =>
        log.warn(
          { event: 'store.write_hold.timeout', ms: Math.round(ms) },
          `the checkpoint worker did not finish a WAL restart within ${Math.round(ms)} ms; commits went on without it and the WAL grows until a later restart. If this repeats, the data volume is too slow or the worker is stuck: watch edgehub_store_size_bytes and edgehub_store_checkpoints_total{thread="worker"}, and restart the hub if checkpoints stopped`,
        ),
    });
    const hub = new Hub(options, device, configPath, caPath, tls, store, log);
    try {
      await hub.run();
    } catch (err) {
      await hub.close();
      throw err;
    }
    return hub;
  }

  private async run(): Promise<void> {
    const o = this.options;
    const host = o.host ?? '0.0.0.0';
    const load = loadHubConfig(this.configPath);
    if (load.ok) this.apply(load.config);
    else this.refuseConfig(load.errors);
    this.mqtt = await MqttHead.create(
      {
        credentials: () => this.credentials,
        ready: () => this.acceptsConnections(),
        ingest: this.ingest,
        endpoints: this.endpoints,
        metrics: this.metrics,
        log: this.log.child({ component: 'mqtt' }),
        twins: this.twins,
        methods: this.methods,
        identities: new WeakMap<never, Identity>(),
      },
      this.store,
      { connectTimeoutMs: o.mqttConnectTimeoutMs ?? 30_000, fastPath: o.mqttFastPath ?? true },
    );
    this.amqp = new AmqpHead({
      credentials: () => this.credentials,
      ready: () => this.problems().length === 0,
      ingest: this.ingest,
      endpoints: this.endpoints,
      metrics: this.metrics,
      log: this.log.child({ component: 'amqp' }),
      limits: { ...DEFAULT_AMQP_LIMITS, ...o.amqpLimits },
      twinMethods: new AmqpTwinMethods(this.twins, this.methods, this.log.child({ component: 'amqp' })),
    });
    if (o.metricsPort !== -1) {
      this.ops = await OpsServer.listen(this.metrics.registry, () => this.problems(), o.metricsPort ?? 9600, host);
    }
    const mqttPorts = await this.mqtt.listen({
      host,
      tls: { port: o.mqttsPort ?? 8883, ...this.tls },
      plainPort: o.mqttPort,
    });
    const amqpsPort = o.amqpsPort ?? 5671;
    const amqpPorts = await this.amqp.listen({
      host,
      tls: amqpsPort === -1 ? undefined : { port: amqpsPort, ...this.tls },
      plainPort: o.amqpPort,
    });
    const https = o.httpsPort === -1 ? undefined : await this.listenHttps(host, o.httpsPort);
    this.ports = { ...mqttPorts, ...amqpPorts, https, metrics: this.ops?.port };
    await this.listenControl();
    this.listening = true;
    if (o.upstream) await this.startUpstream(o.upstream);
    this.watchSecrets();
    this.watcher = watchConfig(
      this.configPath,
      () => this.config?.digest ?? '',
      (config) => this.apply(config),
      (errors) => this.refuseConfig(errors),
      o.configPollMs ?? 1000,
    );
    const interval = o.sweepIntervalMs ?? 5000;
    this.sweepTimer = setInterval(() => this.sweep(), interval);
    this.sweepTimer.unref();
    this.log.info({ event: 'hub.started', ports: this.ports, deviceId: this.device.deviceId }, 'hub started');
  }

  private async startUpstream(given: NonNullable<HubOptions['upstream']>): Promise<void> {
    const settings: UpstreamSettings = { ...DEFAULT_UPSTREAM_SETTINGS, ...given };
    const parsed = parseUpstreamConnectionString(settings.connectionString);
    if (!parsed.ok) throw new Error(parsed.error);
    const { UpstreamLink } = await import('./upstream/upstream-link.js');
    if (this.closing) return; // closed while the SDK loaded
    const m = this.metrics;
    this.upstreamLink = new UpstreamLink(
      settings,
      parsed.value,
      this.endpoints,
      new UpstreamMetrics(m.registry, parsed.value.deviceId),
      this.log.child({ component: 'upstream' }),
      {
        invalid: (entry) => {
          const sys = entry.message.systemProperties;
          m.messagesDropped.inc({
            reason: 'upstream_refused',
            from: senderId(sys[SystemProperty.connectionDeviceId] ?? '', sys[SystemProperty.connectionModuleId]),
            from_route_output: m.outputs.value(sys[SystemProperty.outputName] ?? ''),
            ms_telemetry: 'True',
          });
        },
      },
    );
    this.upstreamLink.start();
  }

  /** True while the upstream connection is up; undefined when no upstream is configured. */
  get upstreamOnline(): boolean | undefined {
    return this.upstreamLink?.online;
  }

  /** The control socket is a convenience: a data folder that cannot hold a socket (some volumes) only loses it. */
  private async listenControl(): Promise<void> {
    const o = this.options;
    if (o.controlSocket === false) return;
    const path = o.controlSocket ?? join(o.dataDir, 'control.sock');
    try {
      this.control = await ControlServer.listen(
        {
          deviceId: this.device.deviceId,
          twins: this.twins,
          methods: this.methods,
          log: this.log.child({ component: 'control' }),
          knownModule: (m) => this.config?.modules === undefined || this.config.modules.has(m),
        },
        path,
      );
    } catch (err) {
      this.log.warn(
        { event: 'control.listen.failed', path, err: (err as Error).message },
        `no control socket at ${path} (edgehub twin/method will not reach this hub): ${(err as Error).message}`,
      );
    }
  }

  private async listenHttps(host: string, configured: number | undefined): Promise<number | undefined> {
    const mqtt = this.mqtt!;
    const amqp = this.amqp!;
    const head = new HttpsHead(
      this.tls,
      { mqtt: (stream) => mqtt.handleStream(stream), amqp: (stream, remote) => amqp.accept(stream, remote) },
      this.log.child({ component: 'https' }),
    );
    // Module-to-module direct methods (ModuleClient.invokeMethod posts here).
    head.route('POST', METHODS_PATH, (req, res) => void handleMethodsRequest(this.methodsHttp, req, res));
    try {
      const port = await head.listen(configured ?? 443, host);
      this.https = head;
      return port;
    } catch (err) {
      const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      if (configured !== undefined || code !== 'EACCES') throw err;
      await head.close();
      this.log.warn(
        { event: 'hub.https.off', err: (err as Error).message },
        'port 443 needs root or CAP_NET_BIND_SERVICE: HTTPS and WebSockets (MqttWs, AmqpWs) are off; ' +
          'give --https-port N to use another port (the SDK only dials 443), or --https-port off to silence this',
      );
      return undefined;
    }
  }

  /** Rotation: a new TLS key pair serves new connections; a new device key verifies new tokens. */
  private watchSecrets(): void {
    const o = this.options;
    const failed = (err: Error) =>
      this.log.error(
        { event: 'secret.read.failed', err: err.message },
        `secret rotation: ${err.message}; the current one stays`,
      );
    if (o.tlsFiles) {
      const { watcher } = readSecretFiles(
        o.tlsFiles,
        (pair) => {
          this.mqtt?.setTlsCredentials(pair.cert, pair.key);
          this.amqp?.setTlsCredentials(pair.cert, pair.key);
          this.https?.setTlsCredentials(pair.cert, pair.key);
          this.log.info(
            { event: 'tls.rotated', cert: o.tlsFiles?.cert },
            'new TLS certificate in use for new connections',
          );
        },
        failed,
      );
      this.secretWatchers.push(watcher);
    }
    if (o.deviceKeyFile) {
      const { watcher } = readSecretFiles(
        { key: o.deviceKeyFile },
        ({ key }) => {
          this.credentials = { ...this.credentials, deviceKey: key.trim() };
          this.log.info(
            { event: 'device_key.rotated', path: o.deviceKeyFile },
            'device key changed: new tokens are checked against it',
          );
        },
        failed,
      );
      this.secretWatchers.push(watcher);
    }
  }

  /** Module ids of the current configuration, sorted. */
  modules(): string[] {
    return [...(this.config?.modules ?? [])].sort();
  }

  /**
   * Whether modules may connect: listening, with a configuration. Not the store's health: while commits fail
   * (a full disk) receivers must still connect, since their acknowledgements free space, and a refused publish
   * already goes unacknowledged. Gating on it kept every module out for good once one commit had failed.
   */
  private acceptsConnections(): boolean {
    return this.listening && this.config !== undefined;
  }

  /** What keeps the hub from being ready; empty when it is. */
  problems(): string[] {
    const out: string[] = [];
    if (!this.listening) out.push('listeners not up');
    if (!this.config) out.push(`no valid configuration loaded from ${this.configPath}`);
    if (!this.commit.healthy) out.push('the last store commit failed');
    try {
      this.store.checkWritable();
    } catch (err) {
      out.push(`store not writable: ${(err as Error).message}`);
    }
    return out;
  }

  private apply(config: HubConfig): void {
    const first = this.config === undefined;
    this.config = config;
    this.routingState = {
      table: config.routes,
      timeToLiveSecs: config.edgeHub.storeAndForwardConfiguration.timeToLiveSecs,
    };
    this.endpoints.applyRoutes(config.routes);
    const twinsChanged = this.twins.applyConfiguration(config.manifest.moduleTwins);
    if (twinsChanged.length > 0)
      this.log.info(
        { event: 'twin.desired.changed', ids: twinsChanged },
        `desired properties changed for ${twinsChanged.join(', ')}`,
      );
    const devices = new Map<string, string | undefined>();
    for (const d of config.edgeHub.devices) {
      if (d.deviceId === this.device.deviceId) {
        this.log.warn(
          { event: 'config.device_is_self', path: this.configPath, deviceId: d.deviceId },
          `edgehubDevices lists "${d.deviceId}", this edge device itself: ignored`,
        );
      } else devices.set(d.deviceId, d.symmetricKey);
    }
    this.credentials = { ...this.credentials, modules: config.modules, devices };
    this.metrics.configReloads.inc({ result: 'applied' });
    for (const w of config.warnings) this.log.warn({ event: 'config.warning', path: this.configPath }, w);
    if (config.modules === undefined) {
      this.log.warn(
        { event: 'config.no_module_list', path: this.configPath },
        'the configuration has no $edgeAgent: any module whose key verifies may connect',
      );
    }
    const allowed = (id: Identity) =>
      id.deviceId !== this.device.deviceId
        ? devices.has(id.deviceId)
        : id.moduleId === undefined || config.modules === undefined || config.modules.has(id.moduleId);
    const revoked = (this.mqtt?.revoke(allowed) ?? 0) + (this.amqp?.revoke(allowed) ?? 0);
    this.log.info(
      {
        event: first ? 'config.loaded' : 'route.table.swapped',
        path: this.configPath,
        routes: config.routes.routes.length,
        modules: config.modules?.size,
        devices: devices.size,
        revoked,
      },
      `${first ? 'configuration loaded' : 'configuration changed, routes swapped'}: ${config.routes.routes.length} routes`,
    );
  }

  private refuseConfig(errors: readonly string[]): void {
    this.metrics.configReloads.inc({ result: 'refused' });
    this.log.error(
      { event: 'config.refused', path: this.configPath, errors },
      `configuration refused${this.config ? ', the running one stays' : ''}:\n  ${errors.join('\n  ')}`,
    );
  }

  private sweep(): void {
    const dropped = this.endpoints.sweepExpired(5000);
    if (dropped > 0) this.log.info({ event: 'store.expired', dropped }, `${dropped} expired messages dropped`);
  }

  /** Closes in order: stop accepting, commit what is pending, close clients, close the store. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.listening = false;
      this.watcher?.close();
      this.secretWatchers.forEach((w) => w.close());
      if (this.sweepTimer) clearInterval(this.sweepTimer);
      this.mqtt?.stopAccepting();
      this.amqp?.stopAccepting();
      this.methods.close();
      await this.upstreamLink?.close();
      const httpsClosed = this.https?.close();
      this.commit.flush();
      await this.mqtt?.close();
      await this.amqp?.close();
      await httpsClosed;
      this.commit.flush();
      await this.ops?.close();
      await this.control?.close();
      await this.store.shutdown();
      this.metrics.close();
      this.log.info({ event: 'hub.stopped' }, 'hub stopped');
    })();
    return this.closing;
  }
}
