// Pruning: objects that carry this EdgeDeployment's labels but are no longer planned are deleted. Objects
// without our labels are never touched, nor are the Secrets the agent provisions once (device key, CA), nor,
// under `dataRetention: Retain`, PVCs.
import { LABELS } from '../plan/names.js';
import type { KubeClient, KubeObject } from './kube.js';
import { OWNED_RESOURCES } from './resources.js';

export interface PrunedObject {
  readonly kind: string;
  readonly name: string;
}

export function objectKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/**
 * Deletes, in `namespace`, every owned-kind object matching `selector` whose kind/name is not in `planned`.
 * The uid precondition makes sure a same-named object created meanwhile survives.
 */
export async function pruneObjects(
  kube: KubeClient,
  namespace: string,
  selector: string,
  planned: readonly KubeObject[],
  options: { readonly retainClaims?: boolean; readonly onRetained?: (o: PrunedObject) => void } = {},
): Promise<PrunedObject[]> {
  const keep = new Set(planned.map((o) => objectKey(o.kind, o.metadata.name)));
  const pruned: PrunedObject[] = [];
  // Dependents first (Deployments before the Secrets and volumes they mount).
  for (const type of [...OWNED_RESOURCES].reverse()) {
    const { items } = await kube.list(type, namespace, selector);
    for (const o of items) {
      if (keep.has(objectKey(type.kind, o.metadata.name))) continue;
      if (o.metadata.labels?.[LABELS.lifecycle] === 'provisioned') continue;
      // dataRetention: Retain. A claim no module mounts any more keeps its data until someone deletes it.
      if (options.retainClaims && type.kind === 'PersistentVolumeClaim') {
        options.onRetained?.({ kind: type.kind, name: o.metadata.name });
        continue;
      }
      if (await kube.delete(type, namespace, o.metadata.name, o.metadata.uid)) {
        pruned.push({ kind: type.kind, name: o.metadata.name });
      }
    }
  }
  return pruned;
}
