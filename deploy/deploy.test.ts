// deploy/: the generated files are current; every kustomize variant renders, and every object it renders is
// valid against the Kubernetes OpenAPI schemas (kubernetes-models) and the rules they do not carry; the agent
// runs locked down; its RBAC is exactly what agent/testing/api-calls.json says it uses; the PodMonitors select
// what the agent really runs; the YAML and shell files pass yamllint and shellcheck.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { DEFAULT_AGENT_METRICS_PORT } from '../agent/plan/hub-args.js';
import { plan, type PlannedObject } from '../agent/plan/plan.js';
import { edgeDeploymentFor, TEST_INPUTS } from '../agent/testing/fixtures.js';
import { assertGolden } from '../agent/testing/golden.js';
import { DNS_SUBDOMAIN, IANA_SVC_NAME, kubernetesProblems } from '../agent/testing/kubernetes-rules.js';
import { AGENT_CONTAINER, AGENT_NAME } from './agent.js';
import { DEPLOY_DIR, generatedFiles } from './generate.js';
import { installObjects } from './objects.js';
import { kubectlMissing, missingTool, VARIANTS, type RenderedObject, type Variant } from './testing/kustomize.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const rendered = new Map<string, RenderedObject[]>();
/**
 * Each variant is rendered once for all the tests below. Without kubectl, the objects of the matching
 * `edgehub install` stand in (cli/install.test.ts proves the two equal wherever kubectl runs).
 */
function render(v: Variant): RenderedObject[] {
  let objects = rendered.get(v.name);
  if (!objects) {
    objects = kubectlMissing ? (installObjects(v.options) as unknown as RenderedObject[]) : v.render();
    rendered.set(v.name, objects);
  }
  return objects;
}

const DURATION = /^(\d+(ms|s|m|h))+$/;

/**
 * A PodMonitor (monitoring.coreos.com/v1), checked by hand: kubernetes-models has no Prometheus Operator
 * types. Only the fields we use are allowed; the selector is validated as a core LabelSelector.
 */
function podMonitorProblems(o: RenderedObject): string[] {
  const problems: string[] = [];
  const where = `PodMonitor ${o.metadata.name}`;
  if (!DNS_SUBDOMAIN.test(o.metadata.name)) problems.push(`${where}: bad name`);
  if (!o.metadata.namespace) problems.push(`${where}: no namespace (PodMonitors are namespaced)`);
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return [...problems, `${where}: no spec`];
  const known = ['selector', 'namespaceSelector', 'podMetricsEndpoints'];
  for (const k of Object.keys(spec)) if (!known.includes(k)) problems.push(`${where}: unexpected spec.${k}`);
  try {
    new LabelSelector(spec.selector as never).validate();
  } catch (err) {
    problems.push(`${where}: selector: ${(err as Error).message}`);
  }
  const ns = spec.namespaceSelector as Record<string, unknown> | undefined;
  if (ns !== undefined) {
    const ok =
      (Object.keys(ns).join() === 'any' && typeof ns.any === 'boolean') ||
      (Object.keys(ns).join() === 'matchNames' && Array.isArray(ns.matchNames));
    if (!ok) problems.push(`${where}: namespaceSelector must be {any: bool} or {matchNames: [...]}`);
  }
  const endpoints = spec.podMetricsEndpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) return [...problems, `${where}: no podMetricsEndpoints`];
  for (const e of endpoints as Record<string, unknown>[]) {
    for (const k of Object.keys(e))
      if (!['port', 'path', 'interval'].includes(k)) problems.push(`${where}: unexpected endpoint field ${k}`);
    if (typeof e.port !== 'string' || !IANA_SVC_NAME.test(e.port))
      problems.push(`${where}: bad port ${String(e.port)}`);
    if (typeof e.path !== 'string' || !e.path.startsWith('/')) problems.push(`${where}: bad path`);
    if (typeof e.interval !== 'string' || !DURATION.test(e.interval)) problems.push(`${where}: bad interval`);
  }
  return problems;
}

/** What the API server would reject: the OpenAPI schema of the kind, plus the rules it does not carry. */
function objectProblems(o: RenderedObject): string[] {
  const where = `${o.kind} ${o.metadata.name}`;
  const schema = (validate: () => void): string[] => {
    try {
      validate();
      return [];
    } catch (err) {
      return [`${where}: ${(err as Error).message}`];
    }
  };
  switch (`${o.apiVersion} ${o.kind}`) {
    case 'v1 ServiceAccount':
    case 'v1 ConfigMap':
    case 'apps/v1 Deployment':
      return kubernetesProblems(o as unknown as PlannedObject);
    case 'v1 Namespace':
      return schema(() => new Namespace(o).validate());
    case 'apiextensions.k8s.io/v1 CustomResourceDefinition':
      return schema(() => new CustomResourceDefinition(o as never).validate());
    case 'rbac.authorization.k8s.io/v1 ClusterRole':
      return schema(() => new ClusterRole(o).validate());
    case 'rbac.authorization.k8s.io/v1 ClusterRoleBinding':
      return schema(() => new ClusterRoleBinding(o as never).validate());
    case 'rbac.authorization.k8s.io/v1 Role':
      return schema(() => new Role(o).validate());
    case 'rbac.authorization.k8s.io/v1 RoleBinding':
      return schema(() => new RoleBinding(o as never).validate());
    case 'monitoring.coreos.com/v1 PodMonitor':
      return podMonitorProblems(o);
    default:
      return [`${where}: ${o.apiVersion} ${o.kind} is not a kind this test knows how to validate`];
  }
}

describe('generated files', () => {
  it('every file deploy/generate.ts writes is current (regenerate: node --import tsx deploy/generate.ts)', async () => {
    for (const [path, content] of await generatedFiles()) {
      assertGolden(new URL(path, DEPLOY_DIR), content, 'npm run generate:deploy');
      if (path.endsWith('.yaml')) assert.match(content, /^# Generated by deploy\/generate\.ts; do not edit/);
    }
  });
});

describe('kustomize variants', () => {
  for (const variant of VARIANTS) {
    it(`${variant.name}: renders, and every object is valid against the Kubernetes schemas`, (t) => {
      if (kubectlMissing) t.diagnostic(`${kubectlMissing}; checking the objects of edgehub install instead`);
      const objects = render(variant);
      assert.ok(objects.length >= 6, `only ${objects.length} objects`);
      assert.deepEqual(objects.flatMap(objectProblems), []);
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of ['Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'Deployment'])
        assert.ok(kinds.has(kind), `no ${kind}`);
      assert.equal(kinds.has('PodMonitor'), variant.options.monitoring);
      for (const o of objects)
        if (!['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind))
          assert.equal(o.metadata.namespace, variant.options.namespace, `${o.kind} ${o.metadata.name} namespace`);
    });
  }
});

describe('the agent Deployment', () => {
  const agentHelp = spawnSync(process.execPath, [join(ROOT, 'bin/edgehub.js'), 'agent', '--help'], {
    encoding: 'utf8',
  }).stdout;

  for (const variant of VARIANTS) {
    it(`${variant.name}: non-root, read-only root, resources, probes on the health port, flags the agent knows`, () => {
      const d = render(variant).find((o) => o.kind === 'Deployment') as unknown as IDeployment;
      const pod = d.spec!.template.spec!;
      const c = pod.containers.find((x) => x.name === AGENT_CONTAINER)!;
      assert.equal(pod.serviceAccountName, AGENT_NAME);
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      assert.equal(pod.securityContext?.runAsUser, 1000, 'uid 1000, as in the Dockerfile and the hub');
      assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
      assert.deepEqual(c.securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      for (const r of ['cpu', 'memory']) {
        assert.ok(c.resources?.requests?.[r], `requests.${r}`);
        assert.ok(c.resources?.limits?.[r], `limits.${r}`);
      }
      assert.equal(c.image, variant.options.image);
      // Probes on the named port, which is the port --metrics-port serves /healthz and /readyz on.
      const port = c.ports?.find((p) => p.name === 'metrics');
      assert.equal(port?.containerPort, DEFAULT_AGENT_METRICS_PORT);
      assert.deepEqual(c.args, ['agent', '--metrics-port', String(DEFAULT_AGENT_METRICS_PORT)]);
      assert.deepEqual(c.livenessProbe?.httpGet, { path: '/healthz', port: 'metrics' });
      assert.deepEqual(c.readinessProbe?.httpGet, { path: '/readyz', port: 'metrics' });
      // Every variable is one `edgehub agent` reads, and the scope decides EDGEHUB_NAMESPACE.
      const env = new Map((c.env ?? []).map((e) => [e.name, e]));
      for (const name of env.keys()) assert.ok(agentHelp.includes(name), `edgehub agent --help does not name ${name}`);
      assert.equal(env.get('EDGEHUB_HUB_IMAGE')?.value, variant.options.image, 'hubs run the agent image');
      assert.equal(env.get('POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace');
      assert.equal(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath, 'metadata.name');
      if (variant.options.scope === 'namespace')
        assert.equal(env.get('EDGEHUB_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace');
      else assert.equal(env.has('EDGEHUB_NAMESPACE'), false);
      // The agent watches pods labelled managed-by=edgehub-agent: its own pod must not be one of them.
      assert.equal(d.spec!.template.metadata?.labels?.['app.kubernetes.io/managed-by'], undefined);
    });
  }
});

interface ApiCall {
  group: string;
  resource: string;
  verb: string;
}

describe('RBAC', () => {
  const calls = JSON.parse(readFileSync(join(ROOT, 'agent/testing/api-calls.json'), 'utf8')) as {
    resources: ApiCall[];
    nonResourceURLs: string[];
    alsoRequired: (ApiCall & { why: string })[];
  };
  const key = (c: ApiCall) => `${c.verb} ${c.group === '' ? 'core' : c.group}/${c.resource}`;
  /** What the agent needs: every call it made, plus the ones no request shows (with a reason each). */
  const needed = new Set([...calls.resources, ...calls.alsoRequired].map(key));
  const flatten = (rules: readonly IPolicyRule[]) =>
    rules.flatMap((r) =>
      (r.apiGroups ?? []).flatMap((group) =>
        (r.resources ?? []).flatMap((resource) => r.verbs.map((verb) => key({ group, resource, verb }))),
      ),
    );

  it('api-calls.json says why each call beyond the request log is needed', () => {
    assert.ok(calls.resources.length > 20);
    for (const extra of calls.alsoRequired) assert.ok(extra.why.length > 10, key(extra));
  });

  it('the only non-resource URLs the agent calls are API discovery, which every cluster grants (system:discovery)', () => {
    for (const url of calls.nonResourceURLs) assert.match(url, /^\/apis?(\/[a-z0-9.-]+){0,2}$/, url);
  });

  for (const variant of VARIANTS) {
    it(`${variant.name}: the agent's rules are exactly the API calls it makes, and only it is bound`, () => {
      const objects = render(variant);
      const ns = variant.options.namespace;
      const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
      const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
      assert.ok(bindings.length > 0);
      const granted: string[] = [];
      const clusterWide: string[] = [];
      for (const b of bindings as unknown as (RoleBinding | ClusterRoleBinding)[]) {
        // Only the agent's ServiceAccount: module ServiceAccounts (made by the agent) get no rights at all.
        assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: ns }]);
        const role = roles.find((r) => r.kind === b.roleRef.kind && r.metadata.name === b.roleRef.name);
        assert.ok(role, `${b.kind} ${b.metadata?.name} refers to a role that is not installed`);
        const rules = (role as unknown as { rules: IPolicyRule[] }).rules;
        for (const r of rules) {
          for (const field of [r.apiGroups, r.resources, r.verbs]) assert.ok(!field?.includes('*'), 'no wildcards');
          assert.equal(r.nonResourceURLs, undefined);
        }
        granted.push(...flatten(rules));
        if (role.kind === 'ClusterRole') clusterWide.push(...flatten(rules));
        else assert.equal(role.metadata.namespace, ns, 'Roles live in the agent namespace');
      }
      assert.deepEqual([...new Set(granted)].sort(), [...needed].sort());
      assert.equal(new Set(granted).size, granted.length, 'each right is granted once');
      if (variant.options.scope === 'namespace') {
        assert.deepEqual(clusterWide, [], 'namespace scope: no ClusterRole');
      } else {
        // Leader election stays in the agent's own namespace, even in cluster scope.
        assert.deepEqual(
          clusterWide.filter((k) => k.includes('leases')),
          [],
        );
      }
    });
  }
});

describe('monitoring', () => {
  const example = JSON.parse(readFileSync(join(ROOT, 'examples/deployment.json'), 'utf8')) as unknown;
  const planned = plan(edgeDeploymentFor(example), TEST_INPUTS);
  assert.ok(planned.ok);
  const hub = planned.objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'edgehub') as IDeployment;

  const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
    Object.entries(selector).every(([k, v]) => labels?.[k] === v);

  for (const variant of VARIANTS.filter((v) => v.options.monitoring)) {
    it(`${variant.name}: the PodMonitors select the agent's and the hubs' pods and their metrics ports`, () => {
      const objects = render(variant);
      const monitor = (name: string) =>
        objects.find((o) => o.kind === 'PodMonitor' && o.metadata.name === name) as unknown as {
          spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector?: unknown };
        } & { spec: { podMetricsEndpoints: { port: string }[] } };
      const agent = objects.find((o) => o.kind === 'Deployment') as unknown as IDeployment;

      const hubs = monitor('edgehub-hubs');
      assert.ok(selects(hubs.spec.selector.matchLabels, hub.spec!.template.metadata?.labels), 'selects hub pods');
      assert.equal(selects(hubs.spec.selector.matchLabels, agent.spec!.template.metadata?.labels), false);
      const hubPorts = hub.spec!.template.spec!.containers[0]!.ports!.map((p) => `${p.name}:${p.containerPort}`);
      assert.ok(hubPorts.includes(`${hubs.spec.podMetricsEndpoints[0]!.port}:9600`), 'scrapes port 9600');
      assert.equal(
        hub.spec!.template.metadata?.annotations?.['prometheus.io/port'],
        '9600',
        'hub pods also carry the scrape annotations',
      );
      assert.deepEqual(
        hubs.spec.namespaceSelector,
        variant.options.scope === 'cluster' ? { any: true } : undefined,
        'all namespaces in cluster scope, its own in namespace scope',
      );

      const agentMonitor = monitor(AGENT_NAME);
      assert.ok(selects(agentMonitor.spec.selector.matchLabels, agent.spec!.template.metadata?.labels));
      const agentPort = agent.spec!.template.spec!.containers[0]!.ports![0]!;
      assert.equal(agentMonitor.spec.podMetricsEndpoints[0]!.port, agentPort.name);

      const dashboard = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
      assert.ok(dashboard, 'the dashboard ConfigMap carries grafana_dashboard: "1"');
      const json = (dashboard as unknown as { data: Record<string, string> }).data['edgehub.json']!;
      const file = readFileSync(new URL('dashboards/edgehub.json', DEPLOY_DIR), 'utf8');
      assert.deepEqual(JSON.parse(json), JSON.parse(file), 'the ConfigMap carries deploy/dashboards/edgehub.json');
    });
  }
});

describe('lint', () => {
  it('yamllint (.yamllint): deploy/, examples/ and the config itself', (t) => {
    const missing = missingTool('yamllint', ['--version'], 'apt-get install yamllint');
    if (missing) return t.skip(missing);
    const r = spawnSync('yamllint', ['--strict', '.yamllint', 'deploy', 'examples'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.error, undefined);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('shellcheck: .ci/run', (t) => {
    const missing = missingTool('shellcheck', ['--version'], 'apt-get install shellcheck');
    if (missing) return t.skip(missing);
    const r = spawnSync('shellcheck', ['.ci/run'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.error, undefined);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
