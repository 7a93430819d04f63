// Planned objects against what already exists, before anything is applied. Pure. Three things a server-side
// apply cannot do on its own, decided here:
// - a Deployment whose selector changed (a new deviceId) cannot be patched (the selector is immutable):
//   it is deleted and created again;
// - a Service that turns headless or back (a module gained or lost its ports) cannot change its clusterIP:
//   it is deleted and created again;
// - a PVC's storage class, access modes and size are immutable (a smaller size always, a larger one unless
//   the class expands): the change is refused, the claim and its data stay as they are, everything else applies;
// - an object of a planned name that this EdgeDeployment did not make (no labels of ours) is never adopted:
//   server-side apply with force would silently take it over. It is refused and left alone.
import type { ManifestIssue } from '../../manifest/index.js';
import type { Device } from '../crd/edge-deployment.js';
import { modulePath, type PlannedObject } from './context.js';
import { FIELD_MANAGER, HUB, LABELS, labelValue } from './names.js';

/** What the planner needs to know of an existing object. */
export interface LiveObject {
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly uid?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: unknown;
}

export type RefusalReason = 'ImmutableFieldChanged' | 'ObjectNotOwned';

export interface Refusal {
  readonly object: PlannedObject;
  readonly reason: RefusalReason;
  readonly issue: ManifestIssue;
}

export interface LiveDecision {
  /** To apply, in plan order (refused objects left out). */
  readonly apply: PlannedObject[];
  /** Live objects to delete (with their uid) before the apply creates them again. */
  readonly recreate: { readonly object: PlannedObject; readonly uid?: string; readonly why: string }[];
  readonly refused: Refusal[];
}

export function liveKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** True when `o` carries the labels this EdgeDeployment puts on what it makes. */
export function madeBy(device: Device, o: LiveObject): boolean {
  const labels = o.metadata.labels ?? {};
  return labels[LABELS.managedBy] === FIELD_MANAGER && labels[LABELS.edgeDeployment] === labelValue(device.name);
}

type Json = Record<string, unknown> | undefined;

const claimOf = (spec: unknown) => {
  const s = spec as Json;
  const requests = (s?.resources as { requests?: { storage?: unknown } } | undefined)?.requests;
  return {
    storageClassName: s?.storageClassName as string | undefined,
    accessModes: JSON.stringify(s?.accessModes ?? []),
    size: requests?.storage as string | undefined,
  };
};

/** What changed in a claim's immutable fields; empty when nothing did. A class the server chose is no change. */
const specOf = (o: PlannedObject): unknown => (o as { spec?: unknown }).spec;

function claimChanges(planned: PlannedObject, live: LiveObject): string[] {
  const p = claimOf(specOf(planned));
  const l = claimOf(live.spec);
  const out: string[] = [];
  if (p.storageClassName !== undefined && p.storageClassName !== l.storageClassName)
    out.push(`storageClassName ${l.storageClassName ?? '(default)'} → ${p.storageClassName}`);
  if (p.accessModes !== l.accessModes) out.push(`accessModes ${l.accessModes} → ${p.accessModes}`);
  if (p.size !== l.size) out.push(`size ${l.size ?? '?'} → ${p.size ?? '?'}`);
  return out;
}

const selectorOf = (spec: unknown) => JSON.stringify((spec as Json)?.selector ?? null);
const headless = (spec: unknown) => (spec as Json)?.clusterIP === 'None';

/** Where in the EdgeDeployment a claim's settings come from. */
function claimSettingsPath(name: string): string {
  return name === HUB.dataClaim ? 'spec.hub.storage' : 'spec.modules.volumeClaims';
}

function ownerPath(o: PlannedObject): string {
  const moduleId = o.metadata?.annotations?.['edgehub.io/module-id'];
  return moduleId ? modulePath(moduleId) : `spec (${o.kind} ${o.metadata?.name ?? ''})`;
}

export function checkAgainstLive(
  device: Device,
  planned: readonly PlannedObject[],
  live: ReadonlyMap<string, LiveObject>,
): LiveDecision {
  const apply: PlannedObject[] = [];
  const recreate: LiveDecision['recreate'] = [];
  const refused: Refusal[] = [];
  for (const o of planned) {
    const name = o.metadata?.name ?? '';
    const current = live.get(liveKey(o.kind, name));
    if (!current) {
      apply.push(o);
      continue;
    }
    if (!madeBy(device, current)) {
      refused.push({
        object: o,
        reason: 'ObjectNotOwned',
        issue: {
          path: ownerPath(o),
          message: `${o.kind} ${name} already exists and was not made by this EdgeDeployment (no ${LABELS.managedBy}=${FIELD_MANAGER}, ${LABELS.edgeDeployment}=${labelValue(device.name)}); it is left alone: rename the module or delete the object`,
        },
      });
      continue;
    }
    if (o.kind === 'PersistentVolumeClaim') {
      const changes = claimChanges(o, current);
      if (changes.length > 0) {
        refused.push({
          object: o,
          reason: 'ImmutableFieldChanged',
          issue: {
            path: claimSettingsPath(name),
            message: `PersistentVolumeClaim ${name} keeps its data and its settings: ${changes.join(', ')} cannot change on an existing claim; to move the data, back it up, delete the claim and let the agent make it again`,
          },
        });
        continue;
      }
    }
    if (o.kind === 'Deployment' && selectorOf(specOf(o)) !== selectorOf(current.spec)) {
      recreate.push({ object: o, ...(current.metadata.uid ? { uid: current.metadata.uid } : {}), why: 'selector' });
    } else if (o.kind === 'Service' && headless(specOf(o)) !== headless(current.spec)) {
      recreate.push({ object: o, ...(current.metadata.uid ? { uid: current.metadata.uid } : {}), why: 'clusterIP' });
    }
    apply.push(o);
  }
  return { apply, recreate, refused };
}
