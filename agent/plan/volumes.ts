// Docker storage → pod volumes (reference/kubernetes.md §3.3, §3.5): host paths stay host paths, Docker
// volumes become PVCs (one per distinct name, shared by the modules that mount it), tmpfs becomes a memory
// emptyDir, and `k8s-experimental.volumes` are copied as written.
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { childPath, type ModuleSpec } from '../../manifest/index.js';
import { dataMetadata, modulePath, ownershipLabels, type PlanContext } from './context.js';
import { dnsLabel } from './names.js';

export interface ModuleVolumes {
  readonly volumes: IVolume[];
  readonly mounts: IVolumeMount[];
  /** Names of the PVCs these volumes use; the planner makes each once. */
  readonly claims: string[];
}

class VolumeSet {
  readonly volumes: IVolume[] = [];
  readonly mounts: IVolumeMount[] = [];
  readonly claims: string[] = [];
  private readonly byKey = new Map<string, string>();

  /** The pod volume for `key` (a host path, a claim), made once however often it is mounted (#4341). */
  volumeFor(key: string, baseName: string, make: (name: string) => IVolume): string {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    let name = baseName;
    for (let n = 2; this.volumes.some((v) => v.name === name); n++) name = `${baseName.slice(0, 58)}-${n}`;
    this.byKey.set(key, name);
    this.volumes.push(make(name));
    return name;
  }
}

function addClaim(set: VolumeSet, ctx: PlanContext, source: string, target: string, readOnly: boolean, path: string) {
  const claim = dnsLabel(source);
  if (claim === undefined) {
    ctx.errors.push({ path, message: `volume name "${source}" has nothing usable for a PersistentVolumeClaim name` });
    return;
  }
  const name = set.volumeFor(`claim:${claim}`, claim, (n) => ({
    name: n,
    persistentVolumeClaim: { claimName: claim },
  }));
  if (!set.claims.includes(claim)) set.claims.push(claim);
  set.mounts.push({ name, mountPath: target, ...(readOnly ? { readOnly } : {}) });
}

/** Host files that are mounted often and have no extension to tell them from a directory. */
const KNOWN_HOST_FILES = new Set([
  '/etc/localtime',
  '/etc/timezone',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/machine-id',
  '/etc/resolv.conf',
  '/etc/passwd',
  '/etc/group',
  '/var/lib/dbus/machine-id',
]);

export type HostPathKind = 'device' | 'socket' | 'file' | 'directory';

/** What a host path most likely is, from its name alone (the planner never sees the node). */
export function hostPathKind(path: string): HostPathKind {
  const clean = path.replace(/\/+$/, '') || '/';
  const base = clean.slice(clean.lastIndexOf('/') + 1);
  // /dev/shm and /dev/mqueue are memory file systems (directories); the rest of /dev is devices.
  if (['/dev', '/dev/shm', '/dev/mqueue'].includes(clean)) return 'directory';
  if (clean.startsWith('/dev/')) return 'device';
  if (base.endsWith('.sock') || base === 'docker.sock' || base.endsWith('.socket')) return 'socket';
  if (KNOWN_HOST_FILES.has(clean) || /^[^.].*\.[A-Za-z0-9]{1,8}$/.test(base)) return 'file';
  return 'directory';
}

/**
 * The hostPath type for a Docker bind. `Binds` create a missing directory, as Docker does (DirectoryOrCreate);
 * `Mounts` of type bind need it to exist (Directory). A socket must be one (Socket: a missing one fails the
 * pod with a clear event instead of becoming an empty directory). Devices and files get no type: DirectoryOrCreate
 * would refuse them ("is not a directory"), and kubelet then mounts whatever is there, as Docker does.
 */
function hostPathType(
  kind: HostPathKind,
  fromMounts: boolean,
): 'Socket' | 'Directory' | 'DirectoryOrCreate' | undefined {
  if (kind === 'socket') return 'Socket';
  if (kind === 'directory') return fromMounts ? 'Directory' : 'DirectoryOrCreate';
  return undefined;
}

function addHostPath(
  set: VolumeSet,
  ctx: PlanContext,
  module: ModuleSpec,
  bind: { source: string; target: string; readOnly: boolean; fromMounts: boolean },
  path: string,
) {
  const { source, target, readOnly } = bind;
  const kind = hostPathKind(source);
  const type = hostPathType(kind, bind.fromMounts);
  if (kind === 'device' && !module.createOptions.privileged) {
    ctx.warnings.push({
      path,
      severity: 'warning',
      message: `${source} is a device: a container sees it only with HostConfig.Privileged true (or a device plugin)`,
    });
  }
  if (kind === 'socket' && source.endsWith('docker.sock')) {
    ctx.warnings.push({
      path,
      severity: 'warning',
      message: `${source}: most Kubernetes nodes run containerd, not Docker; the pod starts only where this socket exists`,
    });
  }
  const name = set.volumeFor(`host:${source}`, `host-${dnsLabel(source) ?? 'root'}`.slice(0, 63), (n) => ({
    name: n,
    hostPath: { path: source, ...(type ? { type } : {}) },
  }));
  set.mounts.push({ name, mountPath: target, ...(readOnly ? { readOnly } : {}) });
}

export function planModuleVolumes(ctx: PlanContext, module: ModuleSpec): ModuleVolumes {
  const set = new VolumeSet();
  const co = module.createOptions;
  const at = childPath(childPath(modulePath(module.name), 'settings'), 'createOptions');
  co.binds.forEach((b, i) => {
    const path = childPath(childPath(childPath(at, 'HostConfig'), 'Binds'), i);
    // Docker reads a source that is not an absolute path as a named volume, not a host path.
    if (b.source.startsWith('/')) addHostPath(set, ctx, module, { ...b, fromMounts: false }, path);
    else addClaim(set, ctx, b.source, b.target, b.readOnly, path);
  });
  co.mounts.forEach((m, i) => {
    const path = childPath(childPath(childPath(at, 'HostConfig'), 'Mounts'), i);
    if (m.type === 'bind') addHostPath(set, ctx, module, { ...m, fromMounts: true }, path);
    else if (m.type === 'volume') addClaim(set, ctx, m.source, m.target, m.readOnly, path);
    else {
      const name = set.volumeFor(`tmpfs:${i}`, `tmpfs-${i}`, (n) => ({ name: n, emptyDir: { medium: 'Memory' } }));
      set.mounts.push({ name, mountPath: m.target });
    }
  });
  for (const [i, v] of (co.k8sExperimental.volumes ?? []).entries()) {
    const volume = v.volume as unknown as IVolume;
    if (set.volumes.some((existing) => existing.name === volume.name)) {
      ctx.errors.push({
        path: childPath(childPath(childPath(at, 'k8s-experimental'), 'volumes'), i),
        message: `volume name "${volume.name}" is already used by a Docker bind or mount of this module`,
      });
      continue;
    }
    set.volumes.push(volume);
    set.mounts.push(...(v.volumeMounts as unknown as IVolumeMount[]));
  }
  return { volumes: set.volumes, mounts: set.mounts, claims: set.claims };
}

/** A PVC for a Docker volume. ReadWriteOnce by default: most provisioners offer nothing else (the preview asked for ReadWriteMany). */
export function planVolumeClaim(ctx: PlanContext, claimName: string): IPersistentVolumeClaim {
  const settings = ctx.device.modules.volumeClaims;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: dataMetadata(ctx.device, claimName, ownershipLabels(ctx.device)),
    spec: {
      accessModes: [settings.accessMode],
      resources: { requests: { storage: settings.size } },
      ...(settings.storageClassName !== undefined ? { storageClassName: settings.storageClassName } : {}),
    },
  };
}
