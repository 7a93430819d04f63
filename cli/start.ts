// `edgehub start`: runs the hub. With no flags it is the embedded default: a data folder (./data) holding a new
// device identity, an edge CA, a server certificate and a sample configuration, and it prints one connection
// string per module for trying it with the SDK.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatConnectionString, deriveModuleKey } from '../manifest/index.js';
import { Hub } from '../broker/hub.js';
import { createLogger, LOG_LEVELS } from '../broker/log.js';
import type { DeviceIdentity } from '../broker/local/data-folder.js';
import { UsageError } from './command.js';
import { flagOrEnv, parseFlags, portFlag } from './flags.js';
import { HUB_NODE_FLAGS, missingNodeFlags } from './node-flags.js';
import {
  parseUpstreamConnectionString,
  parseUpstreamProtocol,
  UPSTREAM_PROTOCOLS,
  type UpstreamSettings,
} from '../broker/upstream/options.js';

const HELP = `Usage: edgehub start [options]

Runs the hub. Every flag also reads an environment variable (shown); flags win.

  --data DIR              data folder: store, and locally identity, certificates, sample config
                          (EDGEHUB_DATA, default ./data)
  --config FILE           configuration: a deployment manifest, reloaded when it changes
                          (EDGEHUB_CONFIG, default DIR/config.json, created with a sample)
  --host ADDR             listen address for every port (EDGEHUB_HOST, default 0.0.0.0)
  --mqtts-port N          MQTT over TLS (EDGEHUB_MQTTS_PORT, default 8883; 0 = any free port)
  --mqtt-port N           plain MQTT, for in-cluster tools and benchmarks (EDGEHUB_MQTT_PORT, default off)
  --amqps-port N|off      AMQP over TLS (EDGEHUB_AMQPS_PORT, default 5671; 0 = any free port)
  --amqp-port N           plain AMQP, for in-cluster tools and benchmarks (EDGEHUB_AMQP_PORT, default off)
  --https-port N|off      HTTPS and WebSockets for MqttWs/AmqpWs (EDGEHUB_HTTPS_PORT, default 443; the
                          SDK only dials 443; left off with a warning when 443 needs privileges)
  --metrics-port N|off    /metrics, /healthz, /readyz (EDGEHUB_METRICS_PORT, default 9600)
  --hostname NAME         extra name for the server certificate and tokens; repeatable
                          (EDGEHUB_HOSTNAMES, comma-separated)
  --durability MODE       normal: acknowledged messages survive a process crash (default);
                          full: also a power loss, fsync per commit (EDGEHUB_DURABILITY)
  --mqtt-fast-path on|off read telemetry and PUBACKs without aedes's packet pipeline
                          (EDGEHUB_MQTT_FAST_PATH, default on; off is for comparison)
  --log-level LEVEL       ${LOG_LEVELS.join(', ')} (EDGEHUB_LOG_LEVEL, default info)
  --log-format FORMAT     json or pretty (EDGEHUB_LOG_FORMAT, default: pretty in a terminal)

In a cluster the agent provides identity and certificates instead of the data folder:
  --device-id ID          (EDGEHUB_DEVICE_ID)
  --iothub-hostname NAME  host name in tokens and connection strings (EDGEHUB_IOTHUB_HOSTNAME)
  --device-key-file FILE  the device key, base64 (EDGEHUB_DEVICE_KEY_FILE)
  --tls-cert FILE, --tls-key FILE   the server key pair (EDGEHUB_TLS_CERT, EDGEHUB_TLS_KEY)
  --ca-cert FILE          the edge CA modules trust, shown in the welcome lines (EDGEHUB_CA_CERT)
  The key files are re-read when they change (rotated Secrets).

Upstream (where $upstream goes: IoT Hub, or a parent edgehub); without one, $upstream messages stay queued:
  --upstream-connection-string CS   the edge device's own connection string; for a parent edgehub add
                          GatewayHostName=<parent>[:port] (EDGEHUB_UPSTREAM_CONNECTION_STRING)
  --upstream-connection-string-file FILE   the same, read from a file such as a mounted Secret
                          (EDGEHUB_UPSTREAM_CONNECTION_STRING_FILE)
  --upstream-protocol P   ${UPSTREAM_PROTOCOLS.join(', ')} (EDGEHUB_UPSTREAM_PROTOCOL or UpstreamProtocol, default Amqp)
  --upstream-ca FILE      CA of the upstream's server certificate, e.g. the parent's edge CA (EDGEHUB_UPSTREAM_CA)
`;

const FLAGS = {
  data: { type: 'string' },
  config: { type: 'string' },
  host: { type: 'string' },
  'mqtts-port': { type: 'string' },
  'mqtt-port': { type: 'string' },
  'amqps-port': { type: 'string' },
  'amqp-port': { type: 'string' },
  'https-port': { type: 'string' },
  'metrics-port': { type: 'string' },
  hostname: { type: 'string', multiple: true },
  durability: { type: 'string' },
  'mqtt-fast-path': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'device-id': { type: 'string' },
  'iothub-hostname': { type: 'string' },
  'device-key-file': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'ca-cert': { type: 'string' },
  'upstream-connection-string': { type: 'string' },
  'upstream-connection-string-file': { type: 'string' },
  'upstream-protocol': { type: 'string' },
  'upstream-ca': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

function explicitDevice(v: {
  'device-id'?: string;
  'device-key-file'?: string;
  'iothub-hostname'?: string;
}): DeviceIdentity | undefined {
  const id = flagOrEnv(v['device-id'], 'EDGEHUB_DEVICE_ID');
  const keyFile = flagOrEnv(v['device-key-file'], 'EDGEHUB_DEVICE_KEY_FILE');
  if (id === undefined && keyFile === undefined) return undefined;
  if (id === undefined || keyFile === undefined) throw new UsageError('--device-id and --device-key-file go together');
  const iothubHostName = flagOrEnv(v['iothub-hostname'], 'EDGEHUB_IOTHUB_HOSTNAME') ?? `${id}.edgehub.local`;
  return { deviceId: id, iothubHostName, deviceKey: readFile(keyFile, 'device key file').trim() };
}

function upstreamOptions(v: {
  'upstream-connection-string'?: string;
  'upstream-connection-string-file'?: string;
  'upstream-protocol'?: string;
  'upstream-ca'?: string;
}): (Partial<UpstreamSettings> & { connectionString: string }) | undefined {
  const given = flagOrEnv(v['upstream-connection-string'], 'EDGEHUB_UPSTREAM_CONNECTION_STRING');
  const file = flagOrEnv(v['upstream-connection-string-file'], 'EDGEHUB_UPSTREAM_CONNECTION_STRING_FILE');
  if (given !== undefined && file !== undefined)
    throw new UsageError('give --upstream-connection-string or --upstream-connection-string-file, not both');
  const protocolText = flagOrEnv(v['upstream-protocol'], 'EDGEHUB_UPSTREAM_PROTOCOL') ?? process.env.UpstreamProtocol;
  const caPath = flagOrEnv(v['upstream-ca'], 'EDGEHUB_UPSTREAM_CA');
  const connectionString = file !== undefined ? readFile(file, 'upstream connection string file').trim() : given;
  if (connectionString === undefined) {
    if (protocolText !== undefined || caPath !== undefined)
      throw new UsageError('--upstream-protocol and --upstream-ca need --upstream-connection-string (or its file)');
    return undefined;
  }
  const parsed = parseUpstreamConnectionString(connectionString);
  if (!parsed.ok) throw new UsageError(parsed.error);
  const protocol = protocolText === undefined ? undefined : parseUpstreamProtocol(protocolText);
  if (protocolText !== undefined && protocol === undefined)
    throw new UsageError(`--upstream-protocol must be one of ${UPSTREAM_PROTOCOLS.join(', ')}, got "${protocolText}"`);
  return {
    connectionString,
    ...(protocol ? { protocol } : {}),
    ...(caPath !== undefined ? { ca: readFile(caPath, 'upstream CA file') } : {}),
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseFlags({ args: argv, options: FLAGS, strict: true });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const level = flagOrEnv(v['log-level'], 'EDGEHUB_LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const format = flagOrEnv(v['log-format'], 'EDGEHUB_LOG_FORMAT');
  if (format !== undefined && format !== 'json' && format !== 'pretty')
    throw new UsageError('--log-format must be json or pretty');
  const durability = flagOrEnv(v.durability, 'EDGEHUB_DURABILITY') ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') throw new UsageError('--durability must be normal or full');
  const fastPath = flagOrEnv(v['mqtt-fast-path'], 'EDGEHUB_MQTT_FAST_PATH') ?? 'on';
  if (fastPath !== 'on' && fastPath !== 'off') throw new UsageError('--mqtt-fast-path must be on or off');
  const log = createLogger({ level: level as (typeof LOG_LEVELS)[number], format }).child({ component: 'hub' });

  const certPath = flagOrEnv(v['tls-cert'], 'EDGEHUB_TLS_CERT');
  const keyPath = flagOrEnv(v['tls-key'], 'EDGEHUB_TLS_KEY');
  if ((certPath === undefined) !== (keyPath === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  if (certPath && keyPath) {
    readFile(certPath, 'TLS certificate');
    readFile(keyPath, 'TLS key');
  }
  const tlsFiles = certPath && keyPath ? { cert: resolve(certPath), key: resolve(keyPath) } : undefined;
  const caCert = flagOrEnv(v['ca-cert'], 'EDGEHUB_CA_CERT');
  const hostNames = [...(v.hostname ?? []), ...(process.env.EDGEHUB_HOSTNAMES?.split(',').filter(Boolean) ?? [])];
  const dataDir = resolve(flagOrEnv(v.data, 'EDGEHUB_DATA') ?? 'data');
  const config = flagOrEnv(v.config, 'EDGEHUB_CONFIG');

  const options = {
    dataDir,
    configPath: config === undefined ? undefined : resolve(config),
    host: flagOrEnv(v.host, 'EDGEHUB_HOST'),
    mqttsPort: portFlag(flagOrEnv(v['mqtts-port'], 'EDGEHUB_MQTTS_PORT'), 'mqtts-port'),
    mqttPort: portFlag(flagOrEnv(v['mqtt-port'], 'EDGEHUB_MQTT_PORT'), 'mqtt-port'),
    amqpsPort: portFlag(flagOrEnv(v['amqps-port'], 'EDGEHUB_AMQPS_PORT'), 'amqps-port', true),
    amqpPort: portFlag(flagOrEnv(v['amqp-port'], 'EDGEHUB_AMQP_PORT'), 'amqp-port'),
    httpsPort: portFlag(flagOrEnv(v['https-port'], 'EDGEHUB_HTTPS_PORT'), 'https-port', true),
    metricsPort: portFlag(flagOrEnv(v['metrics-port'], 'EDGEHUB_METRICS_PORT'), 'metrics-port', true),
    device: explicitDevice(v),
    deviceKeyFile: flagOrEnv(v['device-key-file'], 'EDGEHUB_DEVICE_KEY_FILE'),
    tlsFiles,
    caPath: caCert === undefined ? undefined : resolve(caCert),
    hostNames,
    durability,
    mqttFastPath: fastPath === 'on',
    upstream: upstreamOptions(v),
    logger: log,
  } as const;
  let hub: Hub;
  try {
    hub = await Hub.start(options);
  } catch (err) {
    log.fatal({ event: 'hub.start.failed', err: (err as Error).message }, `cannot start: ${(err as Error).message}`);
    return 1;
  }
  printWelcome(hub);
  const missing = missingNodeFlags();
  if (missing.length)
    log.info(
      { event: 'hub.node_flags.missing', missing },
      `started without ${missing.join(' ')}: npm start and the image pass it (NODE_OPTIONS="${HUB_NODE_FLAGS.join(' ')}"); without it the hub takes more memory under load`,
    );

  // SIGTERM/SIGINT: stop accepting, finish the current commit, close clients, exit 0.
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      log.info({ event: 'hub.stopping', signal }, `${signal}: draining`);
      const force = setTimeout(() => {
        log.error({ event: 'hub.stop.timeout' }, 'clients did not close within 10 s; exiting');
        process.exit(1);
      }, 10_000);
      force.unref();
      hub.close().then(resolveStop, (err: Error) => {
        log.error({ event: 'hub.stop.failed', err: err.message }, `stop failed: ${err.message}`);
        resolveStop();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

function printWelcome(hub: Hub): void {
  const p = hub.ports;
  const lines = [
    '',
    `edgehub is running for device "${hub.device.deviceId}"`,
    `  data folder    ${hub.options.dataDir}`,
    `  configuration  ${hub.configPath} (edit it: routes apply at once)`,
    ...(hub.caPath ? [`  edge CA        ${hub.caPath}`] : []),
    `  MQTT over TLS  port ${p.mqtts}${p.mqtt !== undefined ? `, plain MQTT port ${p.mqtt}` : ''}`,
    ...(p.amqps !== undefined || p.amqp !== undefined
      ? [
          `  AMQP           ${[p.amqps !== undefined ? `over TLS port ${p.amqps}` : '', p.amqp !== undefined ? `plain port ${p.amqp}` : ''].filter(Boolean).join(', ')}`,
        ]
      : []),
    ...(p.https !== undefined
      ? [`  HTTPS          port ${p.https} (WebSockets for MQTT and AMQP at /$iothub/websocket)`]
      : []),
    ...(p.metrics !== undefined
      ? [`  metrics        http://localhost:${p.metrics}/metrics (health: /healthz, /readyz)`]
      : []),
  ];
  const modules = hub.modules();
  if (modules.length > 0 && hub.caPath && !hub.options.device) {
    lines.push('', 'Try it with the Azure IoT SDK: give a module these two variables, e.g. for the examples:');
    for (const m of modules) {
      const cs = formatConnectionString({
        hostName: hub.device.iothubHostName,
        gatewayHostName: 'localhost',
        deviceId: hub.device.deviceId,
        moduleId: m,
        sharedAccessKey: deriveModuleKey(hub.device.deviceKey, m),
      });
      lines.push(`  ${m}:`, `    EdgeHubConnectionString='${cs}'`);
    }
    lines.push(
      `  and for every module: EdgeModuleCACertificateFile=${hub.caPath}`,
      '  (`edgehub connection-string <module>` prints one again.)',
    );
  }
  console.log(lines.join('\n') + '\n');
}
