// The controller scenarios against a real cluster (kind, k3d, minikube…). Opt-in: runs only when KUBECONFIG is
// set and EDGEHUB_CLUSTER_TESTS=1, and is skipped otherwise. It installs the CRD (kubectl apply --server-side;
// EDGEHUB_CLUSTER_SKIP_CRD=1 when it is installed already),
// runs the agent in this process, uses a throwaway namespace and deletes it at the end. Images need not pull:
// it checks objects and status, not running pods. The agent runs as its ServiceAccount, not as the kubeconfig
// user: the namespace-scope RBAC of deploy/rbac/namespaced is applied in the throwaway namespace and the agent
// impersonates system:serviceaccount:<namespace>:edgehub-agent (the kubeconfig user needs `impersonate`, which
// cluster-admin has), so a verb missing from the generated RBAC fails here as it would in production.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { Kube, type KubeObject } from '../apply/kube.js';
import { RESOURCES } from '../apply/resources.js';
import { API_VERSION, KIND } from '../crd/types.js';
import { silentLogger } from '../log.js';
import { startAgent, type RunningAgent } from '../main.js';
import { serviceAccountUser } from '../testing/fake-rbac.js';
import { classicManifest, eventually, imageOf, modulesOf, replicasOf } from '../testing/harness.js';

const enabled = process.env.EDGEHUB_CLUSTER_TESTS === '1' && !!process.env.KUBECONFIG;
const CRD_FILE = new URL('../../deploy/crd/edgedeployment.yaml', import.meta.url).pathname;
const ROLE_FILE = new URL('../../deploy/rbac/namespaced/role.yaml', import.meta.url);
const AGENT_SERVICE_ACCOUNT = 'edgehub-agent';

/** The generated namespace-scope Role and RoleBinding, placed in `namespace`. */
function namespacedRbac(namespace: string): KubeObject[] {
  return parseAllDocuments(readFileSync(ROLE_FILE, 'utf8')).map((d) => {
    const o = d.toJSON() as KubeObject & { subjects?: { namespace?: string }[] };
    o.metadata.namespace = namespace;
    for (const s of o.subjects ?? []) s.namespace = namespace;
    return o;
  });
}

/** The same cluster and credentials, impersonating `user`. */
function impersonating(kc: KubeConfig, user: string): KubeConfig {
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users.map((u) => ({ ...u, impersonateUser: user })),
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}
const TIMEOUT = 60_000;

describe(
  'agent on a real cluster',
  { skip: enabled ? false : 'set KUBECONFIG and EDGEHUB_CLUSTER_TESTS=1 to run' },
  () => {
    const namespace = `edgehub-e2e-${randomBytes(3).toString('hex')}`;
    const manifest = classicManifest();
    let kube: Kube;
    let agent: RunningAgent;

    const edgeDeployment = (): KubeObject => ({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: 'dev1', namespace },
      spec: { modulesContent: manifest.modulesContent },
    });
    const get = (type: typeof RESOURCES.deployment, name: string) => kube.get(type, namespace, name);

    before(async () => {
      if (process.env.EDGEHUB_CLUSTER_SKIP_CRD !== '1') {
        const crd = spawnSync('kubectl', ['apply', '--server-side', '-f', CRD_FILE], { encoding: 'utf8' });
        assert.equal(crd.status, 0, `installing the CRD failed: ${crd.stderr}`);
        spawnSync('kubectl', [
          'wait',
          '--for=condition=Established',
          'crd/edgedeployments.edgehub.io',
          '--timeout=60s',
        ]);
      }
      const kc = new KubeConfig();
      kc.loadFromDefault();
      kube = new Kube(kc, 'edgehub-e2e');
      await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await kube.apply({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: AGENT_SERVICE_ACCOUNT, namespace },
      });
      for (const o of namespacedRbac(namespace)) await kube.apply(o);
      agent = await startAgent({
        kubeConfig: impersonating(kc, serviceAccountUser(namespace, AGENT_SERVICE_ACCOUNT)),
        log: silentLogger(),
        namespace,
        resyncMs: 5_000,
        watchTimeoutSeconds: 30,
      });
    });

    after(async () => {
      await agent?.stop();
      await kube?.delete(RESOURCES.namespace, undefined, namespace);
    });

    it('creates the objects of the classic manifest', async () => {
      await kube.apply(edgeDeployment());
      for (const name of ['edgehub', 'filtermodule', 'simulatedtemperaturesensor']) {
        await eventually(async () => await get(RESOURCES.deployment, name), `Deployment ${name}`, TIMEOUT);
      }
      await eventually(async () => await get(RESOURCES.service, 'edgehub'), 'Service edgehub', TIMEOUT);
      await eventually(
        async () =>
          ((await get(RESOURCES.edgeDeployment, 'dev1'))?.status as { observedGeneration?: number } | undefined)
            ?.observedGeneration === 1,
        'status',
        TIMEOUT,
      );
    });

    it('rolls a changed module', async () => {
      (modulesOf(manifest).filtermodule!.settings as Record<string, unknown>).image =
        'myacr.azurecr.io/filtermodule:e2e';
      await kube.apply(edgeDeployment());
      await eventually(
        async () => imageOf(await get(RESOURCES.deployment, 'filtermodule'))?.endsWith(':e2e'),
        'the new image',
        TIMEOUT,
      );
    });

    it('repairs drift', async () => {
      const d = (await get(RESOURCES.deployment, 'filtermodule'))!;
      await kube.replace({ ...d, spec: { ...(d.spec as object), replicas: 3 } });
      await eventually(
        async () => replicasOf(await get(RESOURCES.deployment, 'filtermodule')) === 1,
        'replicas back',
        TIMEOUT,
      );
      await kube.delete(RESOURCES.deployment, namespace, 'simulatedtemperaturesensor');
      await eventually(async () => await get(RESOURCES.deployment, 'simulatedtemperaturesensor'), 'recreated', TIMEOUT);
    });

    it('prunes a removed module', async () => {
      delete modulesOf(manifest).SimulatedTemperatureSensor;
      await kube.apply(edgeDeployment());
      await eventually(
        async () => (await get(RESOURCES.deployment, 'simulatedtemperaturesensor')) === undefined,
        'pruned',
        TIMEOUT,
      );
      await eventually(
        async () => (await get(RESOURCES.secret, 'simulatedtemperaturesensor-identity')) === undefined,
        'identity pruned',
        TIMEOUT,
      );
    });

    it('cascades deletion through owner references (the cluster garbage collector)', async () => {
      await kube.delete(RESOURCES.edgeDeployment, namespace, 'dev1');
      await eventually(
        async () => (await kube.list(RESOURCES.deployment, namespace)).items.length === 0,
        'no Deployments',
        TIMEOUT,
      );
    });
  },
);
