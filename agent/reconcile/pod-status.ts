// A module's runtime status from its pod, by the preview's table (reference/kubernetes.md §4.2). Pure.
import type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { RuntimeStatus } from '../crd/types.js';

export interface PodRuntimeStatus {
  readonly runtimeStatus: RuntimeStatus;
  readonly statusDescription: string;
  readonly exitCode?: number;
  readonly restartCount?: number;
  readonly lastStartTimeUtc?: string;
  readonly lastExitTimeUtc?: string;
  readonly image?: string;
}

function terminated(c: IContainerStatus): PodRuntimeStatus {
  const t = c.state!.terminated!;
  return {
    runtimeStatus: t.exitCode === 0 ? 'stopped' : 'failed',
    statusDescription: `Module exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`,
    exitCode: t.exitCode,
    ...(t.startedAt ? { lastStartTimeUtc: t.startedAt } : {}),
    ...(t.finishedAt ? { lastExitTimeUtc: t.finishedAt } : {}),
  };
}

function fromContainer(phase: string, c: IContainerStatus): PodRuntimeStatus {
  const state = c.state ?? {};
  const last = c.lastState?.terminated;
  const lastTimes = {
    ...(last?.finishedAt ? { lastExitTimeUtc: last.finishedAt } : {}),
    ...(last?.exitCode !== undefined ? { exitCode: last.exitCode } : {}),
  };
  if (state.terminated) return terminated(c);
  if (state.running && phase === 'Running') {
    return {
      runtimeStatus: 'running',
      statusDescription: `Started at ${state.running.startedAt ?? 'an unknown time'}`,
      ...(state.running.startedAt ? { lastStartTimeUtc: state.running.startedAt } : {}),
      ...lastTimes,
    };
  }
  // Waiting (any phase), or running while the pod is still Pending: not up yet.
  const reason = state.waiting?.reason ?? (state.running ? 'ContainerStarting' : 'Unknown');
  return { runtimeStatus: 'backoff', statusDescription: `Module in Back-off reason: ${reason}`, ...lastTimes };
}

/** The runtime status of the container `containerName` in `pod` (undefined: no pod at all). */
export function podRuntimeStatus(pod: IPod | undefined, containerName: string): PodRuntimeStatus {
  if (!pod) return { runtimeStatus: 'unknown', statusDescription: 'No pod' };
  const phase = pod.status?.phase;
  if (!phase) return { runtimeStatus: 'unknown', statusDescription: 'Unable to get pod status' };
  if (phase === 'Unknown') return { runtimeStatus: 'unknown', statusDescription: 'Pod status is Unknown' };
  if (phase === 'Succeeded') return { runtimeStatus: 'stopped', statusDescription: 'Pod succeeded' };
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (phase === 'Pending' && scheduled?.status === 'False') {
    // No node takes it (resources, a claim that binds nowhere, a node selector nothing matches…).
    const why = [scheduled.reason, scheduled.message].filter(Boolean).join(': ');
    return { runtimeStatus: 'backoff', statusDescription: `Pod not scheduled${why ? `: ${why}` : ''}` };
  }
  if (phase === 'Failed') {
    return {
      runtimeStatus: 'failed',
      statusDescription: `Pod failed${pod.status?.reason ? `: ${pod.status.reason}` : ''}`,
    };
  }
  const container = pod.status?.containerStatuses?.find((c) => c.name === containerName);
  if (!container) {
    const why = [pod.status?.reason, pod.status?.message].filter(Boolean).join(': ');
    return { runtimeStatus: 'failed', statusDescription: why || `No status for container ${containerName}` };
  }
  return {
    ...fromContainer(phase, container),
    restartCount: container.restartCount,
    ...(container.image ? { image: container.image } : {}),
  };
}

/** A Deployment's status conditions, as far as a module without a pod is concerned. */
export interface DeploymentConditions {
  readonly conditions?: readonly { type?: string; status?: string; reason?: string; message?: string }[];
}

/**
 * The status of a module whose Deployment has no pod: the controller could not create one (ReplicaFailure:
 * a quota, a PodSecurity violation, a missing ServiceAccount) or it is not there yet.
 */
export function noPodStatus(deployment: DeploymentConditions | undefined): PodRuntimeStatus {
  const failure = deployment?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) {
    const why = [failure.reason, failure.message].filter(Boolean).join(': ');
    return { runtimeStatus: 'failed', statusDescription: `Pod not created: ${why || 'ReplicaFailure'}` };
  }
  return { runtimeStatus: 'unknown', statusDescription: deployment ? 'No pod yet' : 'No pod' };
}

/** The pod that speaks for a module: the newest that is not being deleted, else the newest. */
export function currentPod(pods: readonly IPod[]): IPod | undefined {
  const newest = [...pods].sort((a, b) =>
    String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')),
  );
  return newest.find((p) => !p.metadata?.deletionTimestamp) ?? newest[0];
}
