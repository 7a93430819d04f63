// Controller tests' harness: a fake API server, a client for the test's own writes (user "tester"), one or
// more agents (each its own user, so requests can be told apart), a fake kubelet, and a bounded `eventually`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Kube, type KubeObject } from '../apply/kube.js';
import { RESOURCES, type ResourceType } from '../apply/resources.js';
import { API_VERSION, KIND } from '../crd/types.js';
import { silentLogger } from '../log.js';
import { startAgent, type AgentOptions, type RunningAgent } from '../main.js';
import { FakeApiServer } from './fake-api-server.js';
import { RbacAuthorizer, serviceAccountUser } from './fake-rbac.js';
import { startFakeKubelet, type FakeKubelet } from './fake-kubelet.js';

export const NAMESPACE = 'edge-dev1';
export const LEASE_NAMESPACE = 'edgehub-system';

/**
 * The agent's ServiceAccount, as deploy/ installs it: agents in tests impersonate it, so every request they
 * make is authorized by the generated RBAC (a missing verb is a 403, as on a real cluster).
 */
export const AGENT_USER = serviceAccountUser(LEASE_NAMESPACE, 'edgehub-agent');

const DEPLOY = new URL('../../deploy/', import.meta.url);
/** The generated RBAC of a cluster-wide install (deploy/rbac/cluster), which the fake enforces. */
export function clusterRbac(): RbacAuthorizer {
  return RbacAuthorizer.fromFiles([
    new URL('rbac/cluster/cluster-role.yaml', DEPLOY),
    new URL('rbac/cluster/leader-election-role.yaml', DEPLOY),
  ]);
}

/** The generated RBAC of a namespace-scope install (deploy/rbac/namespaced), placed in `namespace`. */
export function namespacedRbac(namespace: string): RbacAuthorizer {
  return RbacAuthorizer.fromFiles([new URL('rbac/namespaced/role.yaml', DEPLOY)], namespace);
}

/** Fast timings: watches end every 2 s, stalls are noticed 0.5 s later, retries start at 20 ms. */
export const FAST: Partial<AgentOptions> = {
  resyncMs: 1_000,
  workers: 2,
  watchTimeoutSeconds: 2,
  stallGraceMs: 500,
  watchBackoff: { initialMs: 20, maxMs: 200 },
  reconcileBackoff: { initialMs: 20, maxMs: 200 },
  applyRetryDelayMs: 5,
  hubImage: 'ghcr.io/edgehub/edgehub:test',
};

export function classicManifest(): { modulesContent: Record<string, unknown> } {
  const url = new URL('../../manifest/testdata/valid/classic.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as { modulesContent: Record<string, unknown> };
}

/** The `$edgeAgent` modules of a manifest, to edit in a test. */
export function modulesOf(manifest: {
  modulesContent: Record<string, unknown>;
}): Record<string, Record<string, unknown>> {
  const agent = manifest.modulesContent.$edgeAgent as {
    'properties.desired': { modules: Record<string, Record<string, unknown>> };
  };
  return agent['properties.desired'].modules;
}

export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 8_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err instanceof Error ? err.message : JSON.stringify(err);
    }
    if (Date.now() > until)
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class Harness {
  readonly agents: RunningAgent[] = [];
  kubelet?: FakeKubelet;

  private constructor(
    readonly fake: FakeApiServer,
    readonly kube: Kube,
  ) {}

  static async start(options: { kubelet?: boolean } = {}): Promise<Harness> {
    const fake = await FakeApiServer.start();
    fake.rbac = clusterRbac();
    const h = new Harness(fake, new Kube(fake.kubeConfig('tester'), 'tester'));
    for (const name of [NAMESPACE, LEASE_NAMESPACE]) {
      await h.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    if (options.kubelet !== false) h.kubelet = startFakeKubelet(fake.store);
    return h;
  }

  /** An agent whose token is `user`, running as the agent ServiceAccount (`as`), with fast timings. */
  async startAgent(user = 'agent', options: Partial<AgentOptions> & { as?: string } = {}): Promise<RunningAgent> {
    const { as = AGENT_USER, ...rest } = options;
    const agent = await startAgent({
      kubeConfig: this.fake.kubeConfig(user, as),
      log: silentLogger(),
      ...FAST,
      ...rest,
    });
    this.agents.push(agent);
    return agent;
  }

  async close(): Promise<void> {
    for (const a of this.agents) await a.stop();
    this.kubelet?.stop();
    await this.fake.close();
  }

  edgeDeployment(
    manifest: { modulesContent: unknown },
    name = 'dev1',
    settings: Record<string, unknown> = {},
  ): KubeObject {
    return {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace: NAMESPACE },
      spec: { ...settings, modulesContent: manifest.modulesContent },
    };
  }

  /** Writes the EdgeDeployment as a user would with `kubectl apply --server-side`. */
  async applyEdgeDeployment(
    manifest: { modulesContent: unknown },
    name = 'dev1',
    settings: Record<string, unknown> = {},
  ): Promise<void> {
    await this.kube.apply(this.edgeDeployment(manifest, name, settings));
  }

  get(type: ResourceType, name: string, namespace = NAMESPACE): Promise<KubeObject | undefined> {
    return this.kube.get(type, namespace, name);
  }

  async status(name = 'dev1'): Promise<Record<string, unknown> | undefined> {
    return (await this.get(RESOURCES.edgeDeployment, name))?.status as Record<string, unknown> | undefined;
  }

  async condition(
    type: string,
    name = 'dev1',
  ): Promise<{ status: string; reason: string; message: string } | undefined> {
    const conditions = (await this.status(name))?.conditions as
      { type: string; status: string; reason: string; message: string }[] | undefined;
    return conditions?.find((c) => c.type === type);
  }

  /** The Events about EdgeDeployment `name`, oldest first, as `type/reason: message`. */
  async events(name = 'dev1'): Promise<string[]> {
    const { items } = await this.kube.list(RESOURCES.event, NAMESPACE);
    return items
      .filter((e) => (e.involvedObject as { name?: string } | undefined)?.name === name)
      .sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)))
      .map((e) => `${String(e.type)}/${String(e.reason)}: ${String(e.message)}`);
  }

  /** Names of objects of `type` in the device namespace. */
  async names(type: ResourceType): Promise<string[]> {
    return (await this.kube.list(type, NAMESPACE)).items.map((o) => o.metadata.name).sort();
  }
}

/** The image of a Deployment's first container. */
export function imageOf(deployment: KubeObject | undefined): string | undefined {
  const spec = deployment?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined;
  return spec?.template?.spec?.containers?.[0]?.image;
}

export function replicasOf(deployment: KubeObject | undefined): number | undefined {
  return (deployment?.spec as { replicas?: number } | undefined)?.replicas;
}
