// The EdgeDeployment status the agent writes: observedGeneration, the Ready / Progressing / Degraded
// conditions, per-module runtime status from pods, and the manifest's issues. Pure: the reconciler gathers
// the facts, this decides what they mean.
import { isDeepStrictEqual } from 'node:util';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ManifestIssue } from '../../manifest/index.js';
import type { Device } from '../crd/edge-deployment.js';
import {
  MAX_STATUS_ISSUES,
  type Condition,
  type ConditionStatus,
  type ConditionType,
  type EdgeDeploymentStatus,
  type ModuleRuntimeStatus,
  type StatusIssue,
} from '../crd/types.js';
import type { Refusal } from '../plan/live.js';
import { ANNOTATIONS, HUB, LABELS, moduleObjectName } from '../plan/names.js';
import { currentPod, noPodStatus, podRuntimeStatus, type DeploymentConditions } from './pod-status.js';

/** What happened in one reconcile, as far as status is concerned. */
export type ReconcileFacts =
  | { readonly kind: 'invalid'; readonly reason: string; readonly issues: readonly ManifestIssue[] }
  | {
      readonly kind: 'failed';
      readonly reason: string;
      readonly message: string;
      readonly issues: readonly ManifestIssue[];
    }
  | {
      readonly kind: 'applied';
      readonly device: Device;
      readonly pods: readonly IPod[];
      /** Status of the module Deployments by object name, for modules that have no pod. */
      readonly deployments?: ReadonlyMap<string, DeploymentConditions>;
      readonly issues: readonly ManifestIssue[];
      /** Planned objects not applied: an immutable field changed, or the name is taken by an object not ours. */
      readonly refused?: readonly Refusal[];
    };

type Verdict = Record<ConditionType, { status: ConditionStatus; reason: string; message: string }>;

function toStatusIssues(issues: readonly ManifestIssue[]): StatusIssue[] {
  return issues
    .slice(0, MAX_STATUS_ISSUES)
    .map((i) => ({ path: i.path, message: i.message, severity: i.severity ?? 'error' }));
}

function summarise(issues: readonly ManifestIssue[]): string {
  const errors = issues.filter((i) => i.severity !== 'warning');
  const first = errors[0];
  if (!first) return 'invalid';
  return `${first.path}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more; see status.issues)` : ''}`;
}

/** Module statuses, the hub first, in manifest order. */
export function moduleStatuses(
  device: Device,
  pods: readonly IPod[],
  deployments: ReadonlyMap<string, DeploymentConditions> = new Map(),
): ModuleRuntimeStatus[] {
  const modules = [
    { id: HUB.moduleId, objectName: HUB.name, desired: 'running' as const },
    ...(device.manifest.edgeAgent?.modules ?? []).map((m) => ({
      id: m.name,
      objectName: moduleObjectName(m.name) ?? '',
      desired: m.status,
    })),
  ];
  return modules.map((m) => {
    const own = pods.filter((p) => p.metadata?.labels?.[LABELS.module] === m.objectName);
    const pod = currentPod(own);
    const observed = pod ? podRuntimeStatus(pod, m.objectName) : noPodStatus(deployments.get(m.objectName));
    // A stopped module has no pod: that is what stopped looks like.
    const runtime =
      !pod && m.desired === 'stopped' ? { runtimeStatus: 'stopped' as const, statusDescription: 'Stopped' } : observed;
    const name = pod?.metadata?.annotations?.[ANNOTATIONS.moduleId] ?? m.id;
    return { name, desiredStatus: m.desired, ...runtime };
  });
}

function verdictFor(facts: ReconcileFacts, modules: readonly ModuleRuntimeStatus[]): Verdict {
  if (facts.kind !== 'applied') {
    const message = facts.kind === 'invalid' ? summarise(facts.issues) : facts.message;
    return {
      Ready: { status: 'False', reason: facts.reason, message },
      Progressing: { status: 'False', reason: facts.reason, message },
      Degraded: { status: 'True', reason: facts.reason, message },
    };
  }
  const waiting = modules.filter((m) => m.runtimeStatus !== m.desiredStatus);
  const failing = waiting.filter(
    (m) => m.desiredStatus === 'running' && (m.runtimeStatus === 'failed' || m.runtimeStatus === 'backoff'),
  );
  const running = modules.filter((m) => m.runtimeStatus === 'running').length;
  const refused = facts.refused ?? [];
  const list = (ms: readonly ModuleRuntimeStatus[]) => ms.map((m) => `${m.name} (${m.runtimeStatus})`).join(', ');
  return {
    Ready:
      waiting.length === 0
        ? {
            status: 'True',
            reason: 'ModulesReady',
            message: `${running} of ${modules.length} modules running, as desired`,
          }
        : { status: 'False', reason: 'ModulesNotReady', message: `waiting for ${list(waiting)}` },
    Progressing:
      waiting.length === 0
        ? { status: 'False', reason: 'Complete', message: 'every module is in its desired state' }
        : {
            status: 'True',
            reason: 'RollingOut',
            message: `${waiting.length} module(s) not yet in their desired state`,
          },
    Degraded:
      failing.length > 0
        ? { status: 'True', reason: 'ModuleFailed', message: list(failing) }
        : refused.length > 0
          ? { status: 'True', reason: refused[0]!.reason, message: refused.map((r) => r.issue.message).join('; ') }
          : { status: 'False', reason: 'AsExpected', message: 'no module is failing' },
  };
}

/** The new status; conditions keep their lastTransitionTime while their status stays the same. */
export function buildStatus(
  facts: ReconcileFacts,
  generation: number,
  previous: EdgeDeploymentStatus | undefined,
  now: Date,
): EdgeDeploymentStatus {
  const modules =
    facts.kind === 'applied' ? moduleStatuses(facts.device, facts.pods, facts.deployments) : (previous?.modules ?? []);
  const verdict = verdictFor(facts, modules);
  const conditions: Condition[] = (['Ready', 'Progressing', 'Degraded'] as const).map((type) => {
    const before = previous?.conditions?.find((c) => c.type === type);
    const v = verdict[type];
    return {
      type,
      ...v,
      lastTransitionTime: before && before.status === v.status ? before.lastTransitionTime : now.toISOString(),
      observedGeneration: generation,
    };
  });
  const issues = [...(facts.kind === 'applied' ? (facts.refused ?? []).map((r) => r.issue) : []), ...facts.issues];
  return { observedGeneration: generation, conditions, modules, issues: toStatusIssues(issues) };
}

/** True when writing `next` would change nothing. */
export function isSameStatus(previous: EdgeDeploymentStatus | undefined, next: EdgeDeploymentStatus): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(previous ?? {})), JSON.parse(JSON.stringify(next)));
}
