// Reads an EdgeDeployment object (as the API server returns it) into a resolved device: settings with their
// defaults, and the validated manifest. Pure; issues carry JSON paths from the object root (`spec.…`).
import {
  describeType,
  hasErrors,
  isPlainObject,
  validateManifest,
  type DeploymentManifest,
  type ManifestIssue,
  type ServiceType,
  type Validated,
} from '../../manifest/index.js';
import { ACCESS_MODES, DATA_RETENTION_POLICIES, SERVICE_TYPES, type AccessMode, type DataRetention } from './types.js';

export const DEFAULT_STORAGE_SIZE = '1Gi';
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const DEVICE_ID = /^[A-Za-z0-9\-.%_#*?!(),:=@$']{1,128}$/;

/** An EdgeDeployment with every default filled in and its manifest validated. */
export interface Device {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly generation: number;
  readonly deviceId: string;
  readonly iotHubHostName: string;
  readonly dataRetention: DataRetention;
  readonly hub: {
    readonly image?: string;
    readonly serviceType: ServiceType;
    readonly externalHostnames: readonly string[];
    readonly storage: { readonly storageClassName?: string; readonly size: string };
    readonly resources?: Readonly<Record<string, unknown>>;
  };
  readonly modules: {
    readonly serviceType: ServiceType;
    readonly volumeClaims: {
      readonly storageClassName?: string;
      readonly size: string;
      readonly accessMode: AccessMode;
    };
  };
  readonly manifest: DeploymentManifest;
}

class Reader {
  readonly issues: ManifestIssue[] = [];
  constructor(private readonly root: Record<string, unknown>) {}

  object(path: string[]): Record<string, unknown> | undefined {
    let v: unknown = this.root;
    for (const key of path) v = isPlainObject(v) ? v[key] : undefined;
    if (v === undefined || v === null) return undefined;
    if (isPlainObject(v)) return v;
    this.issues.push({ path: path.join('.'), message: `must be an object, got ${describeType(v)}` });
    return undefined;
  }

  string(obj: Record<string, unknown> | undefined, path: string[], check?: (s: string) => string | undefined) {
    const key = path[path.length - 1]!;
    const v = obj?.[key];
    if (v === undefined || v === null) return undefined;
    const problem =
      typeof v !== 'string' || v === '' ? `must be a non-empty string, got ${describeType(v)}` : check?.(v);
    if (problem === undefined) return v as string;
    this.issues.push({ path: path.join('.'), message: problem });
    return undefined;
  }

  oneOf<T extends string>(obj: Record<string, unknown> | undefined, path: string[], allowed: readonly T[]) {
    const s = this.string(obj, path, (v) =>
      (allowed as readonly string[]).includes(v) ? undefined : `must be one of ${allowed.join(', ')}, got "${v}"`,
    );
    return s as T | undefined;
  }
}

const quantity = (v: string) => (QUANTITY.test(v) ? undefined : `"${v}" is not a quantity such as 1Gi`);

/** Reads and validates an EdgeDeployment; a valid result may still carry manifest warnings. */
export function readEdgeDeployment(obj: unknown): Validated<Device> {
  if (!isPlainObject(obj)) return { ok: false, issues: [{ path: '', message: 'not an object' }] };
  const r = new Reader(obj);
  const meta = r.object(['metadata']) ?? {};
  const name = r.string(meta, ['metadata', 'name']) ?? '';
  const namespace = r.string(meta, ['metadata', 'namespace']) ?? '';
  const uid = r.string(meta, ['metadata', 'uid']) ?? '';
  if (!name || !namespace || !uid) r.issues.push({ path: 'metadata', message: 'name, namespace and uid are required' });
  const spec = r.object(['spec']);
  const deviceId =
    r.string(spec, ['spec', 'deviceId'], (v) =>
      DEVICE_ID.test(v) ? undefined : `"${v}" is not a device id: 1–128 letters, digits and -.%_#*?!(),:=@$'`,
    ) ?? name;
  const hub = r.object(['spec', 'hub']);
  const hubStorage = r.object(['spec', 'hub', 'storage']);
  const modules = r.object(['spec', 'modules']);
  const claims = r.object(['spec', 'modules', 'volumeClaims']);
  const external = hub?.externalHostnames;
  let externalHostnames: string[] = [];
  const isNames = (v: unknown): v is string[] => Array.isArray(v) && v.every((h) => typeof h === 'string' && h !== '');
  if (isNames(external)) externalHostnames = external;
  else if (external !== undefined) {
    r.issues.push({ path: 'spec.hub.externalHostnames', message: 'must be a list of host names' });
  }
  const hubImage = r.string(hub, ['spec', 'hub', 'image']);
  const hubClass = r.string(hubStorage, ['spec', 'hub', 'storage', 'storageClassName']);
  const claimClass = r.string(claims, ['spec', 'modules', 'volumeClaims', 'storageClassName']);
  const resources = r.object(['spec', 'hub', 'resources']);
  const device = {
    name,
    namespace,
    uid,
    generation: typeof meta.generation === 'number' ? meta.generation : 0,
    deviceId,
    iotHubHostName: r.string(spec, ['spec', 'iotHubHostName']) ?? `edgehub.${namespace}.svc`,
    dataRetention: r.oneOf(spec, ['spec', 'dataRetention'], DATA_RETENTION_POLICIES) ?? 'Retain',
    hub: {
      ...(hubImage ? { image: hubImage } : {}),
      serviceType: r.oneOf(hub, ['spec', 'hub', 'serviceType'], SERVICE_TYPES) ?? 'ClusterIP',
      externalHostnames,
      storage: {
        ...(hubClass ? { storageClassName: hubClass } : {}),
        size: r.string(hubStorage, ['spec', 'hub', 'storage', 'size'], quantity) ?? DEFAULT_STORAGE_SIZE,
      },
      ...(resources ? { resources } : {}),
    },
    modules: {
      serviceType: r.oneOf(modules, ['spec', 'modules', 'serviceType'], SERVICE_TYPES) ?? 'ClusterIP',
      volumeClaims: {
        ...(claimClass ? { storageClassName: claimClass } : {}),
        size: r.string(claims, ['spec', 'modules', 'volumeClaims', 'size'], quantity) ?? DEFAULT_STORAGE_SIZE,
        accessMode: r.oneOf(claims, ['spec', 'modules', 'volumeClaims', 'accessMode'], ACCESS_MODES) ?? 'ReadWriteOnce',
      },
    },
  };
  const issues = r.issues;
  let manifest: DeploymentManifest | undefined;
  if (spec === undefined || spec.modulesContent === undefined) {
    issues.push({
      path: 'spec.modulesContent',
      message: 'modulesContent is missing: paste the manifest modulesContent here',
    });
  } else {
    // validateManifest reports paths from `modulesContent`; prefix them with `spec.`.
    const m = validateManifest({ modulesContent: spec.modulesContent });
    issues.push(...m.issues.map((i) => ({ ...i, path: `spec.${i.path}` })));
    if (m.ok) manifest = m.value;
  }
  if (hasErrors(issues) || manifest === undefined) return { ok: false, issues };
  return { ok: true, value: { ...device, manifest }, issues };
}
