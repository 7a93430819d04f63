// Secrets the agent creates once and then only reads: the device key and the device CA. They carry our
// labels plus `edgehub.io/lifecycle: provisioned` (so pruning leaves them alone), and an owner reference only
// under `dataRetention: Delete` (by default they outlive the EdgeDeployment: modules keep their keys). A Secret of that name made by someone else is used as it is.
import type { KubeClient, KubeObject } from '../apply/kube.js';
import { RESOURCES } from '../apply/resources.js';
import type { Device } from '../crd/edge-deployment.js';
import { AgentError } from '../errors.js';
import { dataMetadata, ownershipLabels } from '../plan/context.js';
import { LABELS } from '../plan/names.js';

export const PROVISIONED = 'provisioned';

export function provisionedSecret(
  device: Device,
  name: string,
  type: string,
  data: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: dataMetadata(device, name, {
      ...ownershipLabels(device),
      [LABELS.lifecycle]: PROVISIONED,
    }),
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
}

/** The decoded data of the Secret `name`, creating it from `make()` when it does not exist yet. */
export async function readOrCreateSecret(
  kube: KubeClient,
  device: Device,
  name: string,
  make: () => KubeObject,
): Promise<{ data: Record<string, string>; created: boolean }> {
  const decode = (s: KubeObject) =>
    Object.fromEntries(
      Object.entries((s.data ?? {}) as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v, 'base64').toString('utf8'),
      ]),
    );
  const existing = await kube.get(RESOURCES.secret, device.namespace, name);
  if (existing) return { data: decode(existing), created: false };
  try {
    return { data: decode(await kube.create(make())), created: true };
  } catch (err) {
    // Another agent (or a person) created it first: theirs wins, read it.
    if (!(err instanceof AgentError && err.status === 409)) throw err;
    const raced = await kube.get(RESOURCES.secret, device.namespace, name);
    if (!raced) throw err;
    return { data: decode(raced), created: false };
  }
}
