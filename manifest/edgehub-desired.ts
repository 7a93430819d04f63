// The `$edgeHub` desired properties of a deployment manifest: schema version, routes and store-and-forward.
// Mirrors the reference parser (reference/routing.md §3.1) but refuses, with a path, what it would skip silently.
import { EDGEHUB_DEVICES_KEY, parseEdgeHubDevices, type DeviceSpec } from './edgehub-devices.js';
import { childPath, describeType, isPlainObject, type ManifestIssue, type Validated } from './issues.js';

/** Schema versions the reference hub accepts: major 1, minor 0–3 (`"1.1"` and `"1.1.0"` are the same). */
export const SUPPORTED_EDGEHUB_SCHEMA_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;
export type EdgeHubSchemaVersion = (typeof SUPPORTED_EDGEHUB_SCHEMA_VERSIONS)[number];

/** A route as written in the manifest: the route text plus the optional priority and TTL of schema 1.1+. */
export interface RouteSpec {
  /** The route's key in `routes`. */
  readonly name: string;
  /** `FROM … [WHERE …] INTO …`. */
  readonly route: string;
  /** 0 (highest) … 9; absent means the default priority, lower than any explicit one. */
  readonly priority?: number;
  /** Per-route TTL in seconds; absent or 0 means the store-and-forward TTL. */
  readonly timeToLiveSecs?: number;
}

export interface StoreAndForwardConfiguration {
  /** Message TTL in seconds; negative means infinite. */
  readonly timeToLiveSecs: number;
  readonly maxSizeBytes?: number;
}

export interface EdgeHubDesiredProperties {
  readonly schemaVersion: EdgeHubSchemaVersion;
  readonly routes: readonly RouteSpec[];
  readonly storeAndForwardConfiguration: StoreAndForwardConfiguration;
  /** Leaf and child edge devices allowed to connect (edgehub-specific `edgehubDevices`). */
  readonly devices: readonly DeviceSpec[];
}

/** The reference hub's fallback when no store-and-forward TTL was ever configured: infinite. */
export const DEFAULT_TIME_TO_LIVE_SECS = -1;

const UINT32_MAX = 4294967295;

function parseSchemaVersion(value: unknown, path: string, issues: ManifestIssue[]): EdgeHubSchemaVersion | undefined {
  if (value === undefined) {
    issues.push({ path, message: 'schemaVersion is missing; write "1.1" (routes with priority and TTL) or "1.0"' });
    return undefined;
  }
  if (typeof value !== 'string') {
    issues.push({ path, message: `schemaVersion must be a string such as "1.1", got ${describeType(value)}` });
    return undefined;
  }
  const m = /^(\d+)\.(\d+)(?:\.\d+){0,2}$/.exec(value.trim());
  const version = m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
  if (version === undefined || !(SUPPORTED_EDGEHUB_SCHEMA_VERSIONS as readonly string[]).includes(version)) {
    issues.push({
      path,
      message: `unsupported schemaVersion "${value}"; supported: ${SUPPORTED_EDGEHUB_SCHEMA_VERSIONS.join(', ')}`,
    });
    return undefined;
  }
  return version as EdgeHubSchemaVersion;
}

function parseRouteEntry(
  name: string,
  value: unknown,
  version: EdgeHubSchemaVersion,
  path: string,
  issues: ManifestIssue[],
): RouteSpec | undefined {
  if (name.trim() === '') {
    issues.push({ path, message: 'a route name must not be empty' });
    return undefined;
  }
  if (typeof value === 'string') {
    if (value.trim() === '') {
      issues.push({ path, message: 'route text is empty; write FROM <source> [WHERE <condition>] INTO <sink>' });
      return undefined;
    }
    return { name, route: value };
  }
  if (!isPlainObject(value)) {
    issues.push({
      path,
      message: `a route must be a string or an object {route, priority, timeToLiveSecs}, got ${describeType(value)}`,
    });
    return undefined;
  }
  if (version === '1.0') {
    issues.push({
      path,
      message:
        'route objects (with priority and timeToLiveSecs) need schemaVersion "1.1" or later; this document says "1.0"',
    });
    return undefined;
  }
  let ok = true;
  const route = value.route;
  if (typeof route !== 'string' || route.trim() === '') {
    issues.push({
      path: childPath(path, 'route'),
      message: route === undefined ? 'route text is missing' : 'route text must be a non-empty string',
    });
    ok = false;
  }
  const spec: { name: string; route: string; priority?: number; timeToLiveSecs?: number } = {
    name,
    route: typeof route === 'string' ? route : '',
  };
  if (value.priority !== undefined) {
    const p = value.priority;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 9) {
      issues.push({
        path: childPath(path, 'priority'),
        message: `priority must be an integer from 0 (highest) to 9, got ${describeType(p)}`,
      });
      ok = false;
    } else spec.priority = p;
  }
  if (value.timeToLiveSecs !== undefined) {
    const t = value.timeToLiveSecs;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > UINT32_MAX) {
      issues.push({
        path: childPath(path, 'timeToLiveSecs'),
        message: `timeToLiveSecs must be a whole number of seconds ≥ 0 (0 = the store-and-forward TTL), got ${describeType(t)}`,
      });
      ok = false;
    } else if (t > 0) spec.timeToLiveSecs = t;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'route' && key !== 'priority' && key !== 'timeToLiveSecs') {
      issues.push({
        path: childPath(path, key),
        message: `unknown route field "${key}"; a route object has route, priority and timeToLiveSecs`,
      });
      ok = false;
    }
  }
  return ok ? spec : undefined;
}

function parseStoreAndForward(value: unknown, path: string, issues: ManifestIssue[]): StoreAndForwardConfiguration {
  if (!isPlainObject(value)) {
    issues.push({
      path,
      message: `storeAndForwardConfiguration must be an object such as {"timeToLiveSecs": 7200}, got ${describeType(value)}`,
    });
    return { timeToLiveSecs: DEFAULT_TIME_TO_LIVE_SECS };
  }
  let timeToLiveSecs = DEFAULT_TIME_TO_LIVE_SECS;
  const t = value.timeToLiveSecs;
  if (t !== undefined) {
    if (typeof t !== 'number' || !Number.isInteger(t)) {
      issues.push({
        path: childPath(path, 'timeToLiveSecs'),
        message: `timeToLiveSecs must be a whole number of seconds (negative = keep forever), got ${describeType(t)}`,
      });
    } else timeToLiveSecs = t;
  }
  const limits = value.storeLimits;
  let maxSizeBytes: number | undefined;
  if (limits !== undefined) {
    const size = isPlainObject(limits) ? limits.maxSizeBytes : undefined;
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
      issues.push({
        path: childPath(childPath(path, 'storeLimits'), 'maxSizeBytes'),
        message: 'storeLimits.maxSizeBytes must be a positive whole number of bytes',
      });
    } else maxSizeBytes = size;
  }
  return maxSizeBytes === undefined ? { timeToLiveSecs } : { timeToLiveSecs, maxSizeBytes };
}

/**
 * Validates `$edgeHub` desired properties. `path` is where they sit in the document, for messages.
 * Route texts are only checked for presence here; compiling them is the route engine's job (routing/).
 */
export function validateEdgeHubDesired(
  value: unknown,
  path = '$edgeHub.properties.desired',
): Validated<EdgeHubDesiredProperties> {
  const issues: ManifestIssue[] = [];
  if (!isPlainObject(value)) {
    return {
      ok: false,
      issues: [{ path, message: `$edgeHub desired properties must be an object, got ${describeType(value)}` }],
    };
  }
  const version = parseSchemaVersion(value.schemaVersion, childPath(path, 'schemaVersion'), issues);
  const effective = version ?? '1.1';
  const routes: RouteSpec[] = [];
  const routesPath = childPath(path, 'routes');
  if (value.routes === undefined) {
    if (effective !== '1.0')
      issues.push({
        path: routesPath,
        message: `routes are required with schemaVersion ${effective}; write "routes": {} for none`,
      });
  } else if (!isPlainObject(value.routes)) {
    issues.push({
      path: routesPath,
      message: `routes must be an object of name → route, got ${describeType(value.routes)}`,
    });
  } else {
    for (const [name, entry] of Object.entries(value.routes)) {
      const spec = parseRouteEntry(name, entry, effective, childPath(routesPath, name), issues);
      if (spec) routes.push(spec);
    }
  }
  const sfPath = childPath(path, 'storeAndForwardConfiguration');
  let storeAndForwardConfiguration: StoreAndForwardConfiguration = { timeToLiveSecs: DEFAULT_TIME_TO_LIVE_SECS };
  if (value.storeAndForwardConfiguration === undefined) {
    if (effective !== '1.0')
      issues.push({
        path: sfPath,
        message: `storeAndForwardConfiguration is required with schemaVersion ${effective}; write {"timeToLiveSecs": 7200}`,
      });
  } else {
    storeAndForwardConfiguration = parseStoreAndForward(value.storeAndForwardConfiguration, sfPath, issues);
  }
  const devices = parseEdgeHubDevices(value[EDGEHUB_DEVICES_KEY], childPath(path, EDGEHUB_DEVICES_KEY), issues);
  if (issues.length > 0 || version === undefined) return { ok: false, issues };
  return { ok: true, value: { schemaVersion: version, routes, storeAndForwardConfiguration, devices }, issues };
}
