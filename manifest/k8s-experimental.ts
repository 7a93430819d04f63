// The `k8s-experimental` section of createOptions (reference/kubernetes.md §3.7): Kubernetes JSON that a
// Kubernetes runtime copies into the pod. Keys match case-insensitively. As in the preview, unknown keys and
// a section that is not an object are warnings; a known key with the wrong shape is an error.
import { field, readObject, readString, readStringMap, type Field } from './docker-fields.js';
import { childPath, describeType, isPlainObject, type ManifestIssue } from './issues.js';
import type { ExperimentalVolume, K8sExperimental, ServiceType } from './types.js';

export const K8S_EXPERIMENTAL_KEY = 'k8s-experimental';
const KNOWN_KEYS = ['volumes', 'resources', 'nodeSelector', 'securityContext', 'serviceOptions', 'strategy'];
const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer'];

function readVolumes(f: Field | undefined, issues: ManifestIssue[]): ExperimentalVolume[] | undefined {
  if (f === undefined) return undefined;
  if (!Array.isArray(f.value)) {
    issues.push({
      path: f.path,
      message: `volumes must be a list of {volume, volumeMounts}, got ${describeType(f.value)}`,
    });
    return undefined;
  }
  const out: ExperimentalVolume[] = [];
  f.value.forEach((entry, i) => {
    const path = childPath(f.path, i);
    const volume = isPlainObject(entry) ? field(entry, 'volume', path) : undefined;
    const mounts = isPlainObject(entry) ? field(entry, 'volumeMounts', path) : undefined;
    if (!isPlainObject(volume?.value) || typeof volume.value.name !== 'string') {
      issues.push({ path, message: 'each volumes entry needs "volume": a core/v1 Volume with a name' });
      return;
    }
    const list = mounts?.value ?? [];
    if (!Array.isArray(list) || !list.every((m) => isPlainObject(m) && typeof m.mountPath === 'string')) {
      issues.push({
        path: mounts?.path ?? path,
        message: '"volumeMounts" must be a list of core/v1 VolumeMounts with a mountPath',
      });
      return;
    }
    out.push({ volume: volume.value, volumeMounts: list as Record<string, unknown>[] });
  });
  return out;
}

function readServiceOptions(f: Field | undefined, issues: ManifestIssue[]): K8sExperimental['serviceOptions'] {
  const obj = readObject(f, issues);
  if (obj === undefined || f === undefined) return undefined;
  const typeField = field(obj, 'type', f.path);
  const typeText = readString(typeField, issues);
  let type: ServiceType | undefined;
  if (typeText !== undefined) {
    type = SERVICE_TYPES.find((t) => t.toLowerCase() === typeText.toLowerCase());
    if (type === undefined) {
      issues.push({
        path: typeField?.path ?? f.path,
        message: `unsupported service type "${typeText}"; write ${SERVICE_TYPES.join(', ')}`,
      });
    }
  }
  const loadBalancerIP = readString(field(obj, 'loadBalancerIP', f.path), issues);
  return { ...(type ? { type } : {}), ...(loadBalancerIP ? { loadBalancerIP } : {}) };
}

export function readK8sExperimental(f: Field | undefined, issues: ManifestIssue[]): K8sExperimental {
  if (f === undefined) return {};
  if (!isPlainObject(f.value)) {
    issues.push({
      path: f.path,
      severity: 'warning',
      message: `ignored: ${f.key} must be an object, got ${describeType(f.value)}`,
    });
    return {};
  }
  const obj = f.value;
  for (const key of Object.keys(obj)) {
    if (!KNOWN_KEYS.some((k) => k.toLowerCase() === key.toLowerCase())) {
      issues.push({
        path: childPath(f.path, key),
        severity: 'warning',
        message: `ignored: unknown ${f.key} key "${key}"; known keys are ${KNOWN_KEYS.join(', ')}`,
      });
    }
  }
  const volumes = readVolumes(field(obj, 'volumes', f.path), issues);
  const resources = readObject(field(obj, 'resources', f.path), issues);
  const nodeSelector = readStringMap(field(obj, 'nodeSelector', f.path), issues);
  const securityContext = readObject(field(obj, 'securityContext', f.path), issues);
  const serviceOptions = readServiceOptions(field(obj, 'serviceOptions', f.path), issues);
  const strategy = readObject(field(obj, 'strategy', f.path), issues);
  return {
    ...(volumes ? { volumes } : {}),
    ...(resources ? { resources } : {}),
    ...(nodeSelector ? { nodeSelector } : {}),
    ...(securityContext ? { securityContext } : {}),
    ...(serviceOptions ? { serviceOptions } : {}),
    ...(strategy ? { strategy } : {}),
  };
}
