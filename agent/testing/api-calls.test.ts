// Runs the agent through a full life (create, change, prune every owned kind, status, leader election)
// against the fake API server, which enforces the generated RBAC of deploy/rbac on every request. Proves the
// rules sufficient (no request refused) and minimal (taking away any one granted verb would have refused some
// request), in both install scopes, and writes the calls to api-calls.json; `UPDATE_GOLDEN=1` rewrites it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { Kube } from '../apply/kube.js';
import { RESOURCES } from '../apply/resources.js';
import { serviceAccountUser, type Attributes, type RbacAuthorizer } from './fake-rbac.js';
import { assertGolden } from './golden.js';
import {
  AGENT_USER,
  classicManifest,
  clusterRbac,
  eventually,
  Harness,
  LEASE_NAMESPACE,
  modulesOf,
  namespacedRbac,
  NAMESPACE,
} from './harness.js';

const AGENT = 'agent';

interface ApiCall {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
}

/** Not a request, so the fake cannot see it: with OwnerReferencesPermissionEnforcement, setting
 * blockOwnerDeletion on an ownerReference needs this. */
const ALSO_REQUIRED = [
  {
    group: 'edgehub.io',
    resource: 'edgedeployments/finalizers',
    verb: 'update',
    why: 'ownerReferences with blockOwnerDeletion',
  },
];

/**
 * A full life of one device (create, change, prune every owned kind, status, leader election) run by an agent
 * that impersonates its ServiceAccount under `rbac`; returns every authorization its requests needed.
 */
async function scenario(
  rbac: RbacAuthorizer,
  scope: 'cluster' | 'namespace',
): Promise<{ used: Attributes[]; nonResourceURLs: string[] }> {
  const h = await Harness.start();
  h.fake.rbac = rbac;
  const leaseNamespace = scope === 'cluster' ? LEASE_NAMESPACE : NAMESPACE;
  try {
    const agent = await h.startAgent(AGENT, {
      ...(scope === 'namespace' ? { namespace: NAMESPACE } : {}),
      as: serviceAccountUser(leaseNamespace, 'edgehub-agent'),
      leaderElection: {
        namespace: leaseNamespace,
        identity: AGENT,
        leaseDurationSeconds: 2,
        renewDeadlineMs: 1_500,
        retryPeriodMs: 100,
      },
    });
    await eventually(() => agent.isActive(), 'leadership');
    const manifest = classicManifest();
    modulesOf(manifest).cache = {
      type: 'docker',
      settings: {
        image: 'example.com/cache:1',
        createOptions: '{"ExposedPorts":{"6379/tcp":{}},"HostConfig":{"Binds":["cachedata:/data"]}}',
      },
    };
    await h.applyEdgeDeployment(manifest, 'dev1', { dataRetention: 'Delete' });
    await eventually(async () => (await h.condition('Ready'))?.status === 'True', 'Ready');
    await h.kube.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'stale',
        namespace: NAMESPACE,
        labels: { 'app.kubernetes.io/managed-by': 'edgehub-agent', 'edgehub.io/edge-deployment': 'dev1' },
      },
      data: {},
    });
    delete modulesOf(manifest).cache;
    await h.applyEdgeDeployment(manifest, 'dev1', { dataRetention: 'Delete' });
    await eventually(
      async () => (await h.get(RESOURCES.persistentVolumeClaim, 'cachedata')) === undefined,
      'the cache pruned',
    );
    await eventually(
      async () => (await h.get(RESOURCES.configMap, 'stale')) === undefined,
      'the stale ConfigMap pruned',
    );
    await eventually(
      () => h.fake.requests.some((r) => r.user === AGENT && r.resource === 'leases' && r.verb === 'update'),
      'a lease renewal',
    );
    await agent.stop();
    const mine = h.fake.requests.filter((r) => r.user === AGENT);
    const denied = mine.filter((r) => r.status === 403).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual([...new Set(denied)], [], 'the generated RBAC let every request through');
    return {
      used: mine.flatMap((r) => r.authorized),
      nonResourceURLs: [...new Set(mine.filter((r) => r.resource === undefined).map((r) => r.path))].sort(),
    };
  } finally {
    await h.close();
  }
}

/** Every granted verb is needed: without it, some request of the scenario would have been refused. */
function assertMinimal(rbac: RbacAuthorizer, used: readonly Attributes[]): void {
  const unused: string[] = [];
  for (const g of rbac.grants()) {
    const reduced = rbac.without(g.kind, g.role, g.rule, g.verb);
    if (used.some((a) => !reduced.allows(a))) continue;
    const explained = ALSO_REQUIRED.some((x) => x.verb === g.verb && g.text.includes(`/${x.resource}`));
    if (!explained) unused.push(g.text);
  }
  assert.deepEqual(unused, [], 'granted, but no request needed it');
}

describe('the API calls the agent makes', () => {
  it('cluster scope: the generated RBAC allows every call and grants nothing more; api-calls.json lists them', async () => {
    const rbac = clusterRbac();
    const { used, nonResourceURLs } = await scenario(rbac, 'cluster');
    assertMinimal(rbac, used);
    const calls = new Map<string, ApiCall>();
    for (const a of used) {
      const call = { group: a.group, resource: a.resource, verb: a.verb };
      calls.set(JSON.stringify(call), call);
    }
    const resources = [...calls.values()].sort(
      (a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource) || a.verb.localeCompare(b.verb),
    );
    const doc = {
      comment:
        'Generated by agent/testing/api-calls.test.ts: every (verb, group, resource) the agent was authorized for by the fake API server, ' +
        'which enforces deploy/rbac (an apply that creates counts as create and patch). Without --namespace, list and watch are cluster-wide. ' +
        'Regenerate with UPDATE_GOLDEN=1 npm test -- agent/testing/api-calls.',
      resources,
      nonResourceURLs,
      alsoRequired: ALSO_REQUIRED,
    };
    for (const verb of ['create', 'patch'])
      assert.ok(
        resources.some((c) => c.resource === 'deployments' && c.verb === verb),
        `deployments ${verb}`,
      );
    // Written as Prettier writes JSON, so `prettier --check` and this test agree on the bytes.
    const file = new URL('./api-calls.json', import.meta.url);
    const options = (await resolveConfig(fileURLToPath(file))) ?? {};
    assertGolden(file, await format(JSON.stringify(doc), { ...options, parser: 'json' }));
  });

  it('namespace scope: the generated Role allows every call and grants nothing more', async () => {
    const rbac = namespacedRbac(NAMESPACE);
    assertMinimal(rbac, (await scenario(rbac, 'namespace')).used);
  });

  it('the fake refuses what the roles do not grant, as a real API server does (403, and create for an apply that creates)', async () => {
    const h = await Harness.start();
    try {
      const reduced = clusterRbac();
      const grant = reduced.grants().find((g) => g.verb === 'create' && g.text.includes('configmaps'))!;
      h.fake.rbac = reduced.without(grant.kind, grant.role, grant.rule, grant.verb);
      const kube = new Kube(h.fake.kubeConfig('agent', AGENT_USER), 'edgehub-agent');
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: NAMESPACE }, data: {} };
      await assert.rejects(kube.apply(cm), /configmaps "x" is forbidden: .* cannot create resource "configmaps"/);
      await h.kube.apply(cm);
      await kube.apply({ ...cm, data: { a: 'b' } });
      const statuses = h.fake.requests.filter((r) => r.path.endsWith('/configmaps/x')).map((r) => [r.user, r.status]);
      assert.deepEqual(statuses, [
        ['agent', 403],
        ['tester', 201],
        ['agent', 200],
      ]);
      await assert.rejects(kube.list(RESOURCES.lease, 'edge-dev1'), /cannot list resource "leases"/);
    } finally {
      await h.close();
    }
  });
});
