// The resources the agent reads and writes: how to name them in API paths. Static on purpose: the agent
// needs no discovery for the watches it builds itself.
export interface ResourceType {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const type = (apiVersion: string, kind: string, plural: string, namespaced = true): ResourceType => ({
  apiVersion,
  kind,
  plural,
  namespaced,
});

export const RESOURCES = {
  edgeDeployment: type('edgehub.io/v1alpha1', 'EdgeDeployment', 'edgedeployments'),
  deployment: type('apps/v1', 'Deployment', 'deployments'),
  service: type('v1', 'Service', 'services'),
  serviceAccount: type('v1', 'ServiceAccount', 'serviceaccounts'),
  secret: type('v1', 'Secret', 'secrets'),
  configMap: type('v1', 'ConfigMap', 'configmaps'),
  persistentVolumeClaim: type('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  pod: type('v1', 'Pod', 'pods'),
  lease: type('coordination.k8s.io/v1', 'Lease', 'leases'),
  event: type('v1', 'Event', 'events'),
  namespace: type('v1', 'Namespace', 'namespaces', false),
} as const;

/** The kinds the planner emits, which pruning lists and the controller watches. */
export const OWNED_RESOURCES: readonly ResourceType[] = [
  RESOURCES.serviceAccount,
  RESOURCES.secret,
  RESOURCES.configMap,
  RESOURCES.persistentVolumeClaim,
  RESOURCES.service,
  RESOURCES.deployment,
];

export function resourceOf(apiVersion: string, kind: string): ResourceType | undefined {
  return Object.values(RESOURCES).find((r) => r.apiVersion === apiVersion && r.kind === kind);
}

/** `/api/v1/namespaces/ns/pods`, `/apis/apps/v1/deployments` (all namespaces when `namespace` is undefined). */
export function collectionPath(r: ResourceType, namespace: string | undefined): string {
  const root = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return r.namespaced && namespace !== undefined
    ? `${root}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`
    : `${root}/${r.plural}`;
}
