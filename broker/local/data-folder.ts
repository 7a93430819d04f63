// The embedded default: everything a hub needs, created on first start in one folder. The device identity and
// key, an edge CA and a server certificate for this machine's names, and a sample configuration. In a cluster the
// agent provides these as mounted Secrets and ConfigMaps instead, and only the store lives in the data folder.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  generateDeviceKey,
  issueServerCertificate,
  type KeyPair,
} from '../../manifest/index.js';
import { sampleManifest } from './sample-manifest.js';

export interface DeviceIdentity {
  readonly deviceId: string;
  /** Goes into tokens (`sr`) and connection strings as `HostName`. */
  readonly iothubHostName: string;
  readonly deviceKey: string;
}

export interface DataFolder {
  readonly dir: string;
  readonly storePath: string;
  readonly devicePath: string;
  readonly caPath: string;
  readonly configPath: string;
}

export function dataFolder(dir: string): DataFolder {
  return {
    dir,
    storePath: join(dir, 'store.db'),
    devicePath: join(dir, 'device.json'),
    caPath: join(dir, 'ca.pem'),
    configPath: join(dir, 'config.json'),
  };
}

/**
 * Creates the folder if needed and proves it writable with a real write (root ignores permission bits). A folder
 * that is writable but full (ENOSPC) is no reason to stop: the hub starts, delivers what it stored (which frees
 * space) and refuses new messages until there is room; exiting would only restart it into the same full disk.
 * The problem is returned for a warning.
 */
export function ensureWritable(dir: string): string | undefined {
  const probe = join(dir, `.write-probe-${process.pid}`);
  const fix = 'choose another with --data DIR (EDGEHUB_DATA)';
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw new Error(`data folder ${dir} is not writable: it is a file, not a folder; ${fix}`);
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, 'ok');
    rmSync(probe);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      rmSync(probe, { force: true });
      return `data folder ${dir} is full (${(err as Error).message}): stored messages are delivered, new ones refused until there is space`;
    }
    const user = process.getuid?.();
    throw new Error(
      `data folder ${dir} is not writable (${(err as Error).message}): ${fix}, or make it writable${user === undefined ? '' : ` by uid ${user}`}`,
      { cause: err },
    );
  }
  return undefined;
}

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}

/** Reads the device identity, creating one on first start. */
export function loadOrCreateDevice(
  folder: DataFolder,
  defaults: { deviceId?: string; iothubHostName?: string } = {},
): { device: DeviceIdentity; created: boolean } {
  if (existsSync(folder.devicePath)) {
    const d = JSON.parse(readFileSync(folder.devicePath, 'utf8')) as Partial<DeviceIdentity>;
    if (typeof d.deviceId !== 'string' || typeof d.deviceKey !== 'string' || typeof d.iothubHostName !== 'string') {
      throw new Error(
        `${folder.devicePath} lacks deviceId, iothubHostName or deviceKey; fix it or remove it to make a new identity`,
      );
    }
    return {
      device: { deviceId: d.deviceId, iothubHostName: d.iothubHostName, deviceKey: d.deviceKey },
      created: false,
    };
  }
  const device: DeviceIdentity = {
    deviceId: defaults.deviceId ?? 'local-edge',
    iothubHostName: defaults.iothubHostName ?? 'localhost',
    deviceKey: generateDeviceKey(),
  };
  writeSecret(folder.devicePath, JSON.stringify(device, null, 2) + '\n');
  return { device, created: true };
}

const CERT_VALIDITY_DAYS = 365;
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** IPv6 addresses in one spelling: node prints `::1` in a certificate as `0:0:0:0:0:0:0:1`. */
function canonicalName(name: string): string {
  return isIPv6(name) ? new URL(`http://[${name}]`).hostname : name;
}

function needsNewCertificate(certPath: string, names: readonly string[]): boolean {
  if (!existsSync(certPath)) return true;
  const x = new X509Certificate(readFileSync(certPath));
  if (Date.parse(x.validTo) - Date.now() < RENEW_BEFORE_MS) return true;
  const sans = (x.subjectAltName ?? '').split(', ').map((s) => canonicalName(s.replace(/^(DNS|IP Address):/, '')));
  return names.some((n) => !sans.includes(canonicalName(n)));
}

/**
 * The edge CA (kept for good once made) and a server certificate for `names` plus this machine's names,
 * renewed when it nears expiry or lacks a name. The CA certificate is always at `ca.pem`, for
 * `EdgeModuleCACertificateFile`.
 */
export function loadOrCreateTls(
  folder: DataFolder,
  names: readonly string[],
): { server: KeyPair; caPath: string; created: string[] } {
  const created: string[] = [];
  const caKeyPath = join(folder.dir, 'ca-key.pem');
  let ca: KeyPair;
  if (existsSync(folder.caPath) && existsSync(caKeyPath)) {
    ca = { cert: readFileSync(folder.caPath, 'utf8'), key: readFileSync(caKeyPath, 'utf8') };
  } else {
    ca = createCertificateAuthority({ commonName: 'edgehub local edge CA', validityDays: 3650 });
    writeFileSync(folder.caPath, ca.cert);
    writeSecret(caKeyPath, ca.key);
    created.push(folder.caPath);
  }
  const certPath = join(folder.dir, 'server.pem');
  const keyPath = join(folder.dir, 'server-key.pem');
  const all = [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...names])];
  if (needsNewCertificate(certPath, all) || !existsSync(keyPath)) {
    const server = issueServerCertificate(ca, { commonName: 'edgehub', names: all, validityDays: CERT_VALIDITY_DAYS });
    writeFileSync(certPath, server.cert);
    writeSecret(keyPath, server.key);
    created.push(certPath);
  }
  return {
    server: { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') },
    caPath: folder.caPath,
    created,
  };
}

/** Writes the sample configuration when the folder has none. */
export function ensureSampleConfig(folder: DataFolder): boolean {
  if (existsSync(folder.configPath)) return false;
  writeFileSync(folder.configPath, JSON.stringify(sampleManifest(), null, 2) + '\n');
  return true;
}
