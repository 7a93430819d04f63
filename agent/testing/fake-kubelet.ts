// A stand-in for the Deployment controller and the kubelet, for status tests: for every Deployment in the
// fake store it keeps one Pod (none at zero replicas) with the template's labels and annotations and a
// container state the test chooses (running by default). No ReplicaSets, no scheduling, no restarts.
import type { IContainerState } from 'kubernetes-models/v1/ContainerState';
import { resourceOfKind } from './fake-resources.js';
import type { FakeStore, KubeJson } from './fake-store.js';

export interface FakeKubelet {
  /** Sets the state of the container named `container` (a module's object name) and re-syncs pods. */
  setState(container: string, state: IContainerState, phase?: string): void;
  stop(): void;
}

interface DeploymentJson {
  metadata: { name: string; namespace: string };
  spec?: {
    replicas?: number;
    template?: { metadata?: Record<string, unknown>; spec?: { containers?: { name: string; image?: string }[] } };
  };
}

export function startFakeKubelet(store: FakeStore): FakeKubelet {
  const pods = resourceOfKind('v1', 'Pod')!;
  const deployments = resourceOfKind('apps/v1', 'Deployment')!;
  const states = new Map<string, { state: IContainerState; phase: string }>();
  let scheduled = false;

  const sync = () => {
    scheduled = false;
    const wanted = new Set<string>();
    for (const d of store.list(deployments, undefined) as unknown as DeploymentJson[]) {
      const ns = d.metadata.namespace;
      const name = `${d.metadata.name}-pod`;
      if ((d.spec?.replicas ?? 1) === 0) continue;
      wanted.add(`${ns}/${name}`);
      const containers = d.spec?.template?.spec?.containers ?? [];
      const chosen = states.get(containers[0]?.name ?? '');
      const pod: KubeJson = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...(d.spec?.template?.metadata ?? {}), name, namespace: ns },
        spec: d.spec?.template?.spec ?? {},
        status: {
          phase: chosen?.phase ?? 'Running',
          containerStatuses: containers.map((c) => ({
            name: c.name,
            image: c.image,
            imageID: '',
            ready: !chosen,
            restartCount: 0,
            state: chosen?.state ?? { running: { startedAt: '2024-01-01T00:00:00Z' } },
          })),
        },
      };
      if (!store.get(pods, ns, name)) store.create(pods, ns, pod);
      else {
        store.replace(pods, ns, name, pod);
        store.replace(pods, ns, name, pod, { status: true });
      }
    }
    for (const p of store.list(pods, undefined)) {
      const key = `${String(p.metadata?.namespace)}/${String(p.metadata?.name)}`;
      if (!wanted.has(key) && String(p.metadata?.name).endsWith('-pod'))
        store.delete(pods, String(p.metadata?.namespace), String(p.metadata?.name));
    }
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(sync);
    }
  };
  const unsubscribe = store.onEvent((e) => {
    if (e.resource === deployments) schedule();
  });
  schedule();
  return {
    setState(container, state, phase = 'Running') {
      states.set(container, { state, phase });
      // Pod status changes go through the status path, as the kubelet's do.
      for (const p of store.list(pods, undefined)) {
        const spec = p.spec as { containers?: { name: string }[] } | undefined;
        if (spec?.containers?.[0]?.name !== container) continue;
        const status: Record<string, unknown> = { ...(p.status as Record<string, unknown>), phase };
        const statuses = (status.containerStatuses as Record<string, unknown>[] | undefined) ?? [];
        status.containerStatuses = statuses.map((c) => ({ ...c, state, ready: false }));
        store.replace(
          pods,
          String(p.metadata?.namespace),
          String(p.metadata?.name),
          { ...p, status },
          { status: true },
        );
      }
    },
    stop: () => unsubscribe(),
  };
}
