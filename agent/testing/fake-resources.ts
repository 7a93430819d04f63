// The resources the fake API server serves, with what discovery reports about them. Kept apart from the
// agent's own resource table on purpose: if the two disagree, the tests catch it.
export interface FakeResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Writes to the main resource ignore `status`; `/status` writes change only `status`. */
  readonly statusSubresource: boolean;
}

export const FAKE_RESOURCES: readonly FakeResource[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, statusSubresource: true },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, statusSubresource: true },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, statusSubresource: true },
  {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    namespaced: true,
    statusSubresource: false,
  },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, statusSubresource: false },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, statusSubresource: false },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, statusSubresource: false },
  {
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    namespaced: true,
    statusSubresource: true,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    statusSubresource: true,
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
    statusSubresource: false,
  },
  {
    group: 'edgehub.io',
    version: 'v1alpha1',
    kind: 'EdgeDeployment',
    plural: 'edgedeployments',
    namespaced: true,
    statusSubresource: true,
  },
];

export function apiVersionOf(r: FakeResource): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

export function findResource(group: string, version: string, plural: string): FakeResource | undefined {
  return FAKE_RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceOfKind(apiVersion: string, kind: string): FakeResource | undefined {
  return FAKE_RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** `GET /api/v1`, `GET /apis/<group>/<version>`: what KubernetesObjectApi reads to build its paths. */
export function discovery(group: string, version: string): Record<string, unknown> | undefined {
  const resources = FAKE_RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: resources.flatMap((r) => [
      { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs },
      ...(r.statusSubresource
        ? [
            {
              name: `${r.plural}/status`,
              singularName: '',
              namespaced: r.namespaced,
              kind: r.kind,
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
    ]),
  };
}
