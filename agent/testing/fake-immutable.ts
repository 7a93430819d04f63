// Fields a real API server refuses to change (422 Invalid), for the kinds the agent writes. The fake checks
// them on every write to the main resource, so a planner that changes one is caught as a cluster would.
import { isDeepStrictEqual } from 'node:util';
import type { KubeJson } from './fake-store.js';

type Spec = Record<string, unknown> | undefined;

const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 } as const;
const DECIMAL = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 } as const;

/** A Kubernetes quantity in bytes (only the forms storage requests use). */
export function quantityBytes(q: unknown): number | undefined {
  const m = typeof q === 'string' ? /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(q) : null;
  if (!m) return undefined;
  const unit = m[2] as keyof typeof BINARY | keyof typeof DECIMAL | undefined;
  const factor =
    unit === undefined ? 1 : ((BINARY as Record<string, number>)[unit] ?? (DECIMAL as Record<string, number>)[unit]!);
  return Number(m[1]) * factor;
}

const specOf = (o: KubeJson): Spec => o.spec as Spec;

/** The message of the 422, or undefined when `next` may replace `existing`. */
export function immutableViolation(kind: string, existing: KubeJson, next: KubeJson): string | undefined {
  const name = String(existing.metadata?.name);
  const before = specOf(existing);
  const after = specOf(next);
  switch (kind) {
    case 'Deployment':
      if (!isDeepStrictEqual(before?.selector, after?.selector))
        return `Deployment.apps "${name}" is invalid: spec.selector: Invalid value: ${JSON.stringify(after?.selector)}: field is immutable`;
      return undefined;
    case 'PersistentVolumeClaim': {
      const storage = (s: Spec) =>
        (s?.resources as { requests?: { storage?: unknown } } | undefined)?.requests?.storage;
      const without = (s: Spec) => ({ ...s, resources: undefined });
      const was = quantityBytes(storage(before));
      const now = quantityBytes(storage(after));
      if (was !== undefined && now !== undefined && now < was)
        return `PersistentVolumeClaim "${name}" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value`;
      if (!isDeepStrictEqual(without(before), without(after)))
        return `PersistentVolumeClaim "${name}" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims`;
      return undefined;
    }
    case 'Service': {
      const was = before?.clusterIP;
      const now = after?.clusterIP;
      if (was !== undefined && now !== undefined && now !== was && now !== '')
        return `Service "${name}" is invalid: spec.clusterIPs[0]: Invalid value: ${JSON.stringify([now])}: may not change once set`;
      return undefined;
    }
    case 'Secret':
      if ((existing.type ?? 'Opaque') !== (next.type ?? 'Opaque'))
        return `Secret "${name}" is invalid: type: Invalid value: "${String(next.type)}": field is immutable`;
      return undefined;
    default:
      return undefined;
  }
}

/** What the server fills in on create: a Service gets a cluster IP unless it is headless or ExternalName. */
export function defaultOnCreate(kind: string, o: KubeJson, serial: number): void {
  if (kind !== 'Service') return;
  const spec = (o.spec ??= {}) as Record<string, unknown>;
  if (spec.clusterIP === undefined && spec.type !== 'ExternalName') {
    spec.clusterIP = `10.96.${(serial >> 8) & 255}.${serial & 255}`;
    spec.clusterIPs = [spec.clusterIP];
  }
}
