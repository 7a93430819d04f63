// Kubernetes names, labels and annotations of everything the agent plans. Manifest names are free-form;
// Kubernetes names are not. The rules here turn one into the other and say when that cannot be done.
import { createHash } from 'node:crypto';

export const FIELD_MANAGER = 'edgehub-agent';

/** The agent's leader-election Lease, in its own namespace (deploy/rbac.ts grants `update` on this name only). */
export const DEFAULT_LEASE_NAME = 'edgehub-agent';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  device: 'edgehub.io/device',
  module: 'edgehub.io/module',
  edgeDeployment: 'edgehub.io/edge-deployment',
  /** On objects the agent creates once and never prunes (the device key and CA Secrets). */
  lifecycle: 'edgehub.io/lifecycle',
} as const;

export const ANNOTATIONS = {
  /** The module id as written in the manifest (the preview's `original-moduleid`). */
  moduleId: 'edgehub.io/module-id',
  /** The manifest's module `version`: changing it rolls the pod, as edgeAgent redeploys. */
  moduleVersion: 'edgehub.io/module-version',
  /** A digest of the module's credentials, so pods restart when the device key changes. */
  identityDigest: 'edgehub.io/identity-digest',
  /** The image the manifest names for the hub (a Microsoft image the agent replaces with ours). */
  manifestImage: 'edgehub.io/manifest-image',
} as const;

/** Names of the hub's objects and of the Secrets the agent provisions once. */
export const HUB = {
  name: 'edgehub',
  moduleId: '$edgeHub',
  dataClaim: 'edgehub-data',
  configMap: 'edgehub-config',
  tlsSecret: 'edgehub-tls',
  caConfigMap: 'edgehub-ca',
  deviceKeySecret: 'edgehub-device-key',
  deviceCaSecret: 'edgehub-device-ca',
} as const;

/** The in-namespace name modules connect to (`GatewayHostName`): the hub's Service. */
export const GATEWAY_HOST_NAME = HUB.name;

const MAX_LABEL = 63;

function digest(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Shortens `name` to `max` characters, keeping it unique with a digest of the original. */
function fit(name: string, original: string, max: number): string {
  if (name.length <= max) return name;
  const suffix = `-${digest(original)}`;
  return name.slice(0, max - suffix.length).replace(/[^a-z0-9]+$/, '') + suffix;
}

/**
 * An RFC 1123 label (lowercase letters, digits, `-`; 1–63; alphanumeric at both ends), or undefined when
 * nothing usable is left. Runs of other characters become one `-` (the preview dropped them, which made
 * `a_b` and `ab` collide).
 */
export function dnsLabel(text: string): string | undefined {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? undefined : fit(cleaned, text, MAX_LABEL);
}

/**
 * The name of a module's Deployment, Service and ServiceAccount, and its container. Services need an
 * RFC 1035 label (starting with a letter), so a module id starting with a digit gets an `m-` prefix.
 */
export function moduleObjectName(moduleId: string): string | undefined {
  const label = dnsLabel(moduleId);
  if (label === undefined) return undefined;
  return /^[a-z]/.test(label) ? label : fit(`m-${label}`, moduleId, MAX_LABEL);
}

/** A label value: up to 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends (case is kept). */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (cleaned.length <= MAX_LABEL) return cleaned;
  const suffix = `-${digest(text)}`;
  return cleaned.slice(0, MAX_LABEL - suffix.length).replace(/[^A-Za-z0-9]+$/, '') + suffix;
}

/**
 * An annotation key from a Docker label key: an optional DNS-subdomain prefix before `/`, then a name of
 * `[A-Za-z0-9._-]` (case kept), at most 63, alphanumeric at both ends. Undefined when nothing is left.
 */
export function annotationKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  const rawPrefix = slash >= 0 ? key.slice(0, slash) : '';
  const rawName = slash >= 0 ? key.slice(slash + 1) : key;
  const name = labelValue(rawName);
  if (name === '') return undefined;
  const prefix = rawPrefix
    .split('.')
    .map((part) => dnsLabel(part))
    .filter((part): part is string => part !== undefined)
    .join('.')
    .slice(0, 253);
  return prefix ? `${prefix}/${name}` : name;
}

/** A short digest for annotations that must change when content changes, without revealing it. */
export function contentDigest(text: string): string {
  return digest(text, 16);
}
