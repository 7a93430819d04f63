// The agent's own objects: its namespace, ServiceAccount and Deployment. The install options live here too,
// since every other object (RBAC, monitoring) is about this one Deployment.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import {
  DEFAULT_AGENT_METRICS_PORT,
  DEFAULT_HUB_IMAGE,
  healthProbes,
  METRICS_PORT_NAME,
  nonRootPodSecurity,
  restrictedContainerSecurity,
} from '../agent/plan/hub-args.js';
import { LABELS } from '../agent/plan/names.js';

export type InstallScope = 'cluster' | 'namespace';

export interface InstallOptions {
  /** The agent's namespace; with scope `namespace`, also the one namespace it reconciles. */
  readonly namespace: string;
  /** The agent's image, which is also the hub's: one image runs `edgehub agent` and `edgehub start`. */
  readonly image: string;
  readonly scope: InstallScope;
  /** The Prometheus Operator PodMonitors and the Grafana dashboard ConfigMap. */
  readonly monitoring: boolean;
}

export const DEFAULT_INSTALL: InstallOptions = {
  namespace: 'edgehub-system',
  image: DEFAULT_HUB_IMAGE,
  scope: 'cluster',
  monitoring: false,
};

/** Name of the agent's ServiceAccount, Deployment, container port owner and (Cluster)Role. */
export const AGENT_NAME = 'edgehub-agent';
export const AGENT_CONTAINER = 'agent';

/** What selects the agent's pods: the Deployment's selector and the agent's PodMonitor. */
export function agentSelector(): Record<string, string> {
  return { 'app.kubernetes.io/name': AGENT_NAME };
}

/**
 * Labels of the install's objects. Not the agent's ownership labels (`app.kubernetes.io/managed-by:
 * edgehub-agent`): the agent watches and prunes by those, and must never see its own pod among modules.
 */
export function agentLabels(): Record<string, string> {
  return { ...agentSelector(), [LABELS.partOf]: 'edgehub' };
}

export function agentNamespace(o: InstallOptions): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: o.namespace, labels: { [LABELS.partOf]: 'edgehub' } },
  };
}

export function agentServiceAccount(o: InstallOptions): IServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: AGENT_NAME, namespace: o.namespace, labels: agentLabels() },
  };
}

const fromField = (name: string, fieldPath: string): IEnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

function agentEnv(o: InstallOptions): IEnvVar[] {
  return [
    // Leader election: the Lease lives in the agent's namespace, and names this pod as holder.
    fromField('POD_NAMESPACE', 'metadata.namespace'),
    fromField('POD_NAME', 'metadata.name'),
    // The hub image for EdgeDeployments that name none: the agent's own image. deploy/agent/kustomization.yaml
    // lets kustomize's `images:` rewrite this value together with the container image.
    { name: 'EDGEHUB_HUB_IMAGE', value: o.image },
    // Namespace scope: reconcile only the agent's own namespace.
    ...(o.scope === 'namespace' ? [fromField('EDGEHUB_NAMESPACE', 'metadata.namespace')] : []),
  ];
}

export function agentDeployment(o: InstallOptions): IDeployment {
  const labels = agentLabels();
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: AGENT_NAME, namespace: o.namespace, labels },
    spec: {
      // Leader election lets a second replica wait as a hot standby; one is enough for most clusters.
      replicas: 1,
      revisionHistoryLimit: 3,
      selector: { matchLabels: agentSelector() },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          serviceAccountName: AGENT_NAME,
          // SIGTERM: the agent stops reconciling and releases its Lease, so a new pod takes over at once.
          terminationGracePeriodSeconds: 30,
          securityContext: nonRootPodSecurity(),
          containers: [
            {
              name: AGENT_CONTAINER,
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              // The image's entrypoint is `edgehub`.
              args: ['agent', '--metrics-port', String(DEFAULT_AGENT_METRICS_PORT)],
              env: agentEnv(o),
              ports: [{ name: METRICS_PORT_NAME, containerPort: DEFAULT_AGENT_METRICS_PORT, protocol: 'TCP' }],
              // /healthz: the process answers. /readyz: a leader has synced its watches, or a standby waits.
              ...healthProbes(),
              resources: {
                requests: { cpu: '50m', memory: '128Mi' },
                limits: { cpu: '1', memory: '512Mi' },
              },
              securityContext: restrictedContainerSecurity(),
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}
