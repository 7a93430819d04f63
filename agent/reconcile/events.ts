// Kubernetes Events on the EdgeDeployment, so `kubectl describe edgedeployment` and event-based alerting see
// what the agent did: a generation applied (Normal/Applied), and every change of what is wrong (Warning, with
// the Degraded reason: InvalidManifest, ImmutableFieldChanged, ObjectNotOwned, ApplyFailed, ModuleFailed…).
// One event per transition, not per reconcile: a resync that finds the same state records nothing.
import { randomBytes } from 'node:crypto';
import type { KubeClient, KubeObject } from '../apply/kube.js';
import type { EdgeDeploymentStatus } from '../crd/types.js';
import { API_VERSION, KIND } from '../crd/types.js';
import { FIELD_MANAGER } from '../plan/names.js';

export interface AgentEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** API servers keep event messages short; longer ones are cut. */
const MAX_MESSAGE = 1024;

const condition = (s: EdgeDeploymentStatus | undefined, type: string) => s?.conditions?.find((c) => c.type === type);

/** The event a status change calls for, if any. `applied`: this reconcile applied the generation. */
export function eventFor(
  previous: EdgeDeploymentStatus | undefined,
  next: EdgeDeploymentStatus,
  applied: boolean,
): AgentEvent | undefined {
  const degraded = condition(next, 'Degraded');
  const before = condition(previous, 'Degraded');
  const newGeneration = previous?.observedGeneration !== next.observedGeneration;
  if (degraded?.status === 'True') {
    const same = before?.status === 'True' && before.reason === degraded.reason && before.message === degraded.message;
    if (same && !newGeneration) return undefined;
    return { type: 'Warning', reason: degraded.reason, message: degraded.message };
  }
  if (applied && newGeneration) {
    const modules = next.modules?.length ?? 0;
    return {
      type: 'Normal',
      reason: 'Applied',
      message: `generation ${next.observedGeneration ?? 0} applied: the hub and ${modules - 1} module(s)`,
    };
  }
  if (applied && before?.status === 'True')
    return { type: 'Normal', reason: 'Recovered', message: `no longer degraded (was ${before.reason})` };
  return undefined;
}

/** A core/v1 Event about `edgeDeployment` (best effort: the caller ignores failures). */
export function eventObject(edgeDeployment: KubeObject, event: AgentEvent, now: Date): KubeObject {
  const { name, namespace, uid, resourceVersion } = edgeDeployment.metadata;
  const time = now.toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    // As client-go names them: the object's name and a unique suffix.
    metadata: { name: `${name}.${now.getTime().toString(16)}${randomBytes(3).toString('hex')}`, namespace },
    involvedObject: {
      apiVersion: API_VERSION,
      kind: KIND,
      name,
      namespace,
      ...(uid ? { uid } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    type: event.type,
    reason: event.reason,
    message: event.message.length > MAX_MESSAGE ? `${event.message.slice(0, MAX_MESSAGE - 1)}…` : event.message,
    source: { component: FIELD_MANAGER },
    reportingComponent: FIELD_MANAGER,
    reportingInstance: process.env.POD_NAME ?? FIELD_MANAGER,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}

export async function recordEvent(kube: KubeClient, edgeDeployment: KubeObject, event: AgentEvent, now: Date) {
  await kube.create(eventObject(edgeDeployment, event, now));
}
