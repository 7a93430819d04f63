// The hub under test, through its public entry point: `node bin/edgehub.js start` with a generated deployment
// manifest and a fresh data folder, all ports chosen by the OS, JSON logs read for the `hub.started` line.
// The device identity and certificates of the first start are copied into later data folders (making a CA
// takes seconds); the store is always new. Stopped with SIGTERM by PID; anything but exit 0 is reported.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSasToken } from '../../broker/auth/sas.js';
import { buildManifest } from '../../manifest/build.js';
import { deriveModuleKey } from '../../manifest/identity.js';
import { stopByPid, track } from '../processes.js';
import type { Broker, Deployment } from './broker.js';

const BIN = fileURLToPath(new URL('../../bin/edgehub.js', import.meta.url));
const TOKEN_LIFETIME_SECS = 24 * 3600;

export interface HubOptions {
  /** Where data folders are made (one per start). */
  readonly workDir: string;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=DIR`. */
  readonly nodeFlags: readonly string[];
  /** The CLI to run: bin/edgehub.js (the sources through tsx) unless a compiled build is given. */
  readonly cli?: string;
  /** Hub log lines at warn or above, collected for the report. */
  readonly onProblem: (line: string) => void;
}

interface DeviceFile {
  deviceId: string;
  iothubHostName: string;
  deviceKey: string;
}

let starts = 0;
let identityDir: string | undefined;

export async function startEdgehub(d: Deployment, opts: HubOptions): Promise<Broker> {
  const dataDir = join(opts.workDir, `hub-${++starts}`);
  mkdirSync(dataDir, { recursive: true });
  if (identityDir) for (const f of readdirSync(identityDir)) copyFileSync(join(identityDir, f), join(dataDir, f));
  const configPath = join(opts.workDir, `hub-${starts}.manifest.json`);
  writeFileSync(configPath, JSON.stringify(buildManifest({ modules: d.modules, routes: d.routes }), null, 2));
  const args = [
    ...opts.nodeFlags,
    opts.cli ?? BIN,
    'start',
    '--data',
    dataDir,
    '--config',
    configPath,
    '--host',
    '127.0.0.1',
    '--mqtts-port',
    '0',
    '--mqtt-port',
    '0',
    '--amqps-port',
    'off',
    '--amqp-port',
    '0',
    '--https-port',
    'off',
    '--metrics-port',
    '0',
    '--log-format',
    'json',
    '--log-level',
    'info',
  ];
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }), 'edgehub');
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const tail: string[] = [];
  let ports: { mqtts: number; mqtt: number; amqp?: number; metrics?: number };
  try {
    ports = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the hub did not log hub.started within 60 s')), 60_000);
      // The log is read to the end of the process, or a full pipe would block the hub.
      createInterface({ input: child.stdout! }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (!line.startsWith('{')) return;
        let entry: { event?: string; level?: number; ports?: typeof ports; msg?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          return;
        }
        if (entry.event === 'hub.started' && entry.ports) {
          clearTimeout(timer);
          resolve(entry.ports);
        } else if ((entry.level ?? 0) >= 40) {
          opts.onProblem(`${entry.event ?? ''}: ${entry.msg ?? line}`.slice(0, 300));
        }
      });
      void exit.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the hub exited (${code}) before it started`));
      });
    });
  } catch (err) {
    await stopByPid(child, 'SIGKILL');
    const detail = `${stderr.trim()}\n${tail.slice(-5).join('\n')}`.trim().slice(-1500);
    throw new Error(`${(err as Error).message}${detail ? `\n${detail}` : ''}`, { cause: err });
  }
  if (!identityDir) {
    identityDir = join(opts.workDir, 'hub-identity');
    mkdirSync(identityDir, { recursive: true });
    // The identity and certificates only: not the store, the configuration, or the control socket.
    for (const f of readdirSync(dataDir, { withFileTypes: true })) {
      if (f.isFile() && !f.name.startsWith('store.db') && !f.name.startsWith('config'))
        copyFileSync(join(dataDir, f.name), join(identityDir, f.name));
    }
  }
  const device = JSON.parse(readFileSync(join(dataDir, 'device.json'), 'utf8')) as DeviceFile;
  const ca = readFileSync(join(dataDir, 'ca.pem'), 'utf8');
  const expiry = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECS;
  return {
    kind: 'edgehub',
    pid: child.pid ?? 0,
    endpoint: { host: '127.0.0.1', port: ports.mqtt },
    tlsEndpoint: { host: '127.0.0.1', port: ports.mqtts, tls: { ca, servername: 'localhost' } },
    ...(ports.amqp !== undefined ? { amqpEndpoint: { host: '127.0.0.1', port: ports.amqp } } : {}),
    amqpCredentials(moduleId) {
      const resource = `${device.iothubHostName}/devices/${device.deviceId}/modules/${moduleId}`;
      return {
        token: createSasToken(resource, deriveModuleKey(device.deviceKey, moduleId), expiry),
        audience: encodeURIComponent(resource),
      };
    },
    deviceId: device.deviceId,
    dataDir,
    ...(ports.metrics !== undefined ? { metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics` } : {}),
    connectSpec(moduleId) {
      const resource = `${device.iothubHostName}/devices/${device.deviceId}/modules/${moduleId}`;
      return {
        clientId: `${device.deviceId}/${moduleId}`,
        username: `${device.iothubHostName}/${device.deviceId}/${moduleId}/?api-version=2021-04-12`,
        password: createSasToken(resource, deriveModuleKey(device.deviceKey, moduleId), expiry),
        clean: false,
        keepalive: 300,
      };
    },
    async stop() {
      await stopByPid(child, 'SIGTERM', 15_000);
      const code = await exit;
      // Kept until the suite ended, the stores of a full run (450 MB after each 4 KB backlog case) took
      // several GB of disk; nothing reads a stopped hub's folder.
      rmSync(dataDir, { recursive: true, force: true });
      return code === 0
        ? undefined
        : `the hub exited with ${code} on SIGTERM${stderr ? `: ${stderr.slice(-300)}` : ''}`;
    },
  };
}
