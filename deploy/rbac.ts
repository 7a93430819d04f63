// What the agent may do in the cluster, and nothing more. deploy.test.ts derives the (verb, group, resource)
// set from agent/testing/api-calls.json (every call the agent made against the fake API server, plus the
// calls it needs but no request shows) and fails if these rules grant one more or one less.
// Module ServiceAccounts get no rights at all: the agent creates them, but never Roles or bindings (it has no
// rights on rbac.authorization.k8s.io, so it could not grant any).
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { DEFAULT_LEASE_NAME } from '../agent/plan/names.js';
import { AGENT_NAME, agentLabels, type InstallOptions } from './agent.js';

const LEADER_ELECTION_ROLE = `${AGENT_NAME}-leader-election`;

const RBAC = 'rbac.authorization.k8s.io';

/**
 * In every namespace the agent reconciles: a ClusterRole (it watches all namespaces) or a Role (one).
 * Writes are server-side apply (PATCH). An apply of an object that does not exist yet is authorized as a
 * `create` as well as a `patch` (the API server checks both), so every kind the agent applies needs both.
 */
const RECONCILE_RULES: readonly IPolicyRule[] = [
  { apiGroups: ['edgehub.io'], resources: ['edgedeployments'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['edgehub.io'], resources: ['edgedeployments/status'], verbs: ['patch'] },
  // Every object the agent makes has an ownerReference to its EdgeDeployment with blockOwnerDeletion: true.
  // Where the OwnerReferencesPermissionEnforcement admission plugin is on (OpenShift, hardened clusters),
  // setting that flag needs `update` on the owner's finalizers subresource. No API call shows it, which is
  // why api-calls.json lists it under "alsoRequired".
  { apiGroups: ['edgehub.io'], resources: ['edgedeployments/finalizers'], verbs: ['update'] },
  // Planned objects: applied (created, then patched), pruned when no longer planned, and watched (drift).
  {
    apiGroups: [''],
    resources: ['configmaps', 'persistentvolumeclaims', 'serviceaccounts', 'services'],
    verbs: ['create', 'delete', 'list', 'patch', 'watch'],
  },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'delete', 'list', 'patch', 'watch'] },
  // Secrets also `get`: the device key and CA are created once (never overwritten) and read back.
  { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'] },
  // Pods are only read, for each module's runtime status.
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  // Events about EdgeDeployments (applied, refused, failed), which `kubectl describe` shows. Only created:
  // each is a new one, never updated.
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

/** In the agent's own namespace only: its leader-election Lease. `create` cannot be limited to a name. */
const LEADER_ELECTION_RULES: readonly IPolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    resourceNames: [DEFAULT_LEASE_NAME],
    verbs: ['get', 'update'],
  },
];

const copy = (rules: readonly IPolicyRule[]): IPolicyRule[] => rules.map((r) => structuredClone(r));

function subjects(o: InstallOptions) {
  return [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: o.namespace }];
}

/**
 * Cluster scope: a ClusterRole for the namespaces it reconciles (all of them), and the Lease rights in a Role
 * of its own namespace. Namespace scope: one Role and RoleBinding in its namespace, no cluster-wide rights.
 * API discovery (GET /api/v1, /apis/<group>/<version>, which the client makes before server-side apply) needs
 * no rule: every cluster grants it to all authenticated users (ClusterRole system:discovery).
 */
export function rbacObjects(o: InstallOptions): (IClusterRole | IClusterRoleBinding | IRole | IRoleBinding)[] {
  const labels = agentLabels();
  if (o.scope === 'namespace') {
    const meta = { name: AGENT_NAME, namespace: o.namespace, labels };
    return [
      {
        apiVersion: `${RBAC}/v1`,
        kind: 'Role',
        metadata: meta,
        rules: [...copy(RECONCILE_RULES), ...copy(LEADER_ELECTION_RULES)],
      },
      {
        apiVersion: `${RBAC}/v1`,
        kind: 'RoleBinding',
        metadata: { ...meta, labels: { ...labels } },
        roleRef: { apiGroup: RBAC, kind: 'Role', name: AGENT_NAME },
        subjects: subjects(o),
      },
    ];
  }
  const leaderMeta = { name: LEADER_ELECTION_ROLE, namespace: o.namespace, labels };
  return [
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: AGENT_NAME, labels: { ...labels } },
      rules: copy(RECONCILE_RULES),
    },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: AGENT_NAME, labels: { ...labels } },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: AGENT_NAME },
      subjects: subjects(o),
    },
    { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: leaderMeta, rules: copy(LEADER_ELECTION_RULES) },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'RoleBinding',
      metadata: { ...leaderMeta, labels: { ...labels } },
      roleRef: { apiGroup: RBAC, kind: 'Role', name: LEADER_ELECTION_ROLE },
      subjects: subjects(o),
    },
  ];
}
