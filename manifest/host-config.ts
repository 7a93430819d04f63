// `createOptions.ExposedPorts` and the parts of `HostConfig` a runtime can translate: port bindings, binds,
// mounts, privileged mode and the host namespaces. Malformed entries are errors: they can never work.
import { field, readBoolean, readObject, readString, type Field } from './docker-fields.js';
import { childPath, describeType, isPlainObject, type ManifestIssue } from './issues.js';
import type { Bind, ExposedPort, Mount, MountType, PortBinding } from './types.js';

const PORT_KEY = /^(\d{1,5})(?:\/([A-Za-z]+))?$/;

/** `"80"`, `"80/tcp"`, `"53/UDP"` → port and protocol; Docker's default protocol is tcp. */
export function parsePortKey(key: string): ExposedPort | undefined {
  const m = PORT_KEY.exec(key.trim());
  if (!m) return undefined;
  const port = Number(m[1]);
  const protocol = (m[2] ?? 'tcp').toUpperCase();
  if (port < 1 || port > 65535 || (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')) return undefined;
  return { port, protocol: protocol };
}

function portKeyIssue(path: string, key: string): ManifestIssue {
  return { path, message: `"${key}" is not a port: write "<1-65535>/tcp", "/udp" or "/sctp"` };
}

export function readExposedPorts(f: Field | undefined, issues: ManifestIssue[]): ExposedPort[] {
  const obj = readObject(f, issues);
  if (obj === undefined || f === undefined) return [];
  const out: ExposedPort[] = [];
  for (const key of Object.keys(obj)) {
    const port = parsePortKey(key);
    if (port) out.push(port);
    else issues.push(portKeyIssue(childPath(f.path, key), key));
  }
  return out;
}

function readPortBindings(f: Field | undefined, issues: ManifestIssue[]): PortBinding[] {
  const obj = readObject(f, issues);
  if (obj === undefined || f === undefined) return [];
  const out: PortBinding[] = [];
  for (const [key, list] of Object.entries(obj)) {
    const path = childPath(f.path, key);
    const port = parsePortKey(key);
    if (!port) {
      issues.push(portKeyIssue(path, key));
      continue;
    }
    if (list === null) continue;
    if (!Array.isArray(list)) {
      issues.push({
        path,
        message: `a port binding is a list such as [{"HostPort": "8080"}], got ${describeType(list)}`,
      });
      continue;
    }
    list.forEach((entry, i) => {
      const at = childPath(path, i);
      if (!isPlainObject(entry)) {
        issues.push({
          path: at,
          message: `a port binding must be an object {HostPort, HostIp}, got ${describeType(entry)}`,
        });
        return;
      }
      const hostPortText = readString(field(entry, 'HostPort', at), issues);
      const hostIp = readString(field(entry, 'HostIp', at), issues);
      let hostPort: number | undefined;
      if (hostPortText !== undefined && hostPortText.trim() !== '') {
        hostPort = /^\d{1,5}$/.test(hostPortText.trim()) ? Number(hostPortText) : NaN;
        if (!(hostPort >= 1 && hostPort <= 65535)) {
          issues.push({ path: childPath(at, 'HostPort'), message: `HostPort "${hostPortText}" is not a port number` });
          return;
        }
      }
      out.push({
        containerPort: port.port,
        protocol: port.protocol,
        ...(hostPort !== undefined ? { hostPort } : {}),
        ...(hostIp ? { hostIp } : {}),
      });
    });
  }
  return out;
}

function readBinds(f: Field | undefined, issues: ManifestIssue[]): Bind[] {
  if (f === undefined) return [];
  if (!Array.isArray(f.value)) {
    issues.push({
      path: f.path,
      message: `Binds must be a list of "source:target[:mode]", got ${describeType(f.value)}`,
    });
    return [];
  }
  const out: Bind[] = [];
  f.value.forEach((entry, i) => {
    const path = childPath(f.path, i);
    const parts = typeof entry === 'string' ? entry.split(':') : [];
    const [source, target, mode] = parts;
    if (parts.length < 2 || parts.length > 3 || !source || !target?.startsWith('/')) {
      issues.push({ path, message: `a bind is "source:/absolute/target[:ro|rw]", got ${describeType(entry)}` });
      return;
    }
    out.push({ source, target, readOnly: (mode ?? '').split(',').includes('ro') });
  });
  return out;
}

const MOUNT_TYPES: readonly MountType[] = ['bind', 'volume', 'tmpfs'];

function readMounts(f: Field | undefined, issues: ManifestIssue[]): Mount[] {
  if (f === undefined) return [];
  if (!Array.isArray(f.value)) {
    issues.push({
      path: f.path,
      message: `Mounts must be a list of {Type, Source, Target}, got ${describeType(f.value)}`,
    });
    return [];
  }
  const out: Mount[] = [];
  f.value.forEach((entry, i) => {
    const path = childPath(f.path, i);
    if (!isPlainObject(entry)) {
      issues.push({
        path,
        message: `a mount must be an object {Type, Source, Target, ReadOnly}, got ${describeType(entry)}`,
      });
      return;
    }
    const before = issues.length;
    const type = readString(field(entry, 'Type', path), issues);
    const source = readString(field(entry, 'Source', path), issues) ?? '';
    const target = readString(field(entry, 'Target', path), issues);
    const readOnly = readBoolean(field(entry, 'ReadOnly', path), issues) ?? false;
    if (issues.length > before) return;
    if (type === undefined || !(MOUNT_TYPES as readonly string[]).includes(type.toLowerCase())) {
      issues.push({
        path: childPath(path, 'Type'),
        message:
          type === undefined
            ? 'Type is missing; write bind, volume or tmpfs'
            : `unsupported mount Type "${type}"; write bind, volume or tmpfs`,
      });
      return;
    }
    const mountType = type.toLowerCase() as MountType;
    if (mountType !== 'tmpfs' && source.trim() === '') {
      issues.push({ path: childPath(path, 'Source'), message: `a ${mountType} mount needs a Source` });
      return;
    }
    if (!target?.startsWith('/')) {
      issues.push({ path: childPath(path, 'Target'), message: 'Target must be an absolute path in the container' });
      return;
    }
    out.push({ type: mountType, source, target, readOnly });
  });
  return out;
}

export interface HostConfig {
  readonly portBindings: readonly PortBinding[];
  readonly binds: readonly Bind[];
  readonly mounts: readonly Mount[];
  readonly privileged: boolean;
  readonly networkMode?: string;
  readonly ipcMode?: string;
  readonly pidMode?: string;
}

export function readHostConfig(f: Field | undefined, issues: ManifestIssue[]): HostConfig {
  const obj = readObject(f, issues);
  if (obj === undefined || f === undefined) return { portBindings: [], binds: [], mounts: [], privileged: false };
  const networkMode = readString(field(obj, 'NetworkMode', f.path), issues);
  const ipcMode = readString(field(obj, 'IpcMode', f.path), issues);
  const pidMode = readString(field(obj, 'PidMode', f.path), issues);
  return {
    portBindings: readPortBindings(field(obj, 'PortBindings', f.path), issues),
    binds: readBinds(field(obj, 'Binds', f.path), issues),
    mounts: readMounts(field(obj, 'Mounts', f.path), issues),
    privileged: readBoolean(field(obj, 'Privileged', f.path), issues) ?? false,
    ...(networkMode ? { networkMode } : {}),
    ...(ipcMode ? { ipcMode } : {}),
    ...(pidMode ? { pidMode } : {}),
  };
}
