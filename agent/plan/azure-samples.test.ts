// Deployment manifests in the shape Azure's samples and tutorials have them (testdata/azure-*: the simulated
// sensor and filter, Stream Analytics with Functions, OPC Publisher, Blob Storage, SQL Edge, Modbus), planned and
// checked for what decides whether their pods would start on a real cluster: valid objects (the Kubernetes
// schemas and the rules they do not carry), every reference inside a pod resolving to a planned object, every
// Service selecting its module's pod, host paths typed for what they are, and no module secret in a ConfigMap.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import { formatIssues } from '../../manifest/index.js';
import { edgeDeploymentFor, TEST_INPUTS } from '../testing/fixtures.js';
import { kubernetesProblems } from '../testing/kubernetes-rules.js';
import { HUB } from './names.js';
import { plan, type PlannedObject } from './plan.js';
import { hostPathKind } from './volumes.js';

const testdata = new URL('./testdata/', import.meta.url);
const samples = readdirSync(testdata).filter((n) => n.startsWith('azure-'));

/** Secrets the agent provisions before it applies a plan (not planned objects, but present when pods start). */
const PROVISIONED = new Map<string, string[]>([[HUB.deviceKeySecret, ['deviceKey']]]);

function problemsStarting(objects: readonly PlannedObject[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string | undefined) =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name);
  const secretKeys = (name: string) => {
    const s = find('Secret', name);
    return s?.kind === 'Secret' ? Object.keys(s.data ?? {}) : PROVISIONED.get(name);
  };
  for (const d of objects.filter((o): o is IDeployment & PlannedObject => o.kind === 'Deployment')) {
    const where = `Deployment ${d.metadata?.name}`;
    const pod = d.spec!.template.spec!;
    if (!find('ServiceAccount', pod.serviceAccountName)) problems.push(`${where}: no ServiceAccount`);
    for (const s of pod.imagePullSecrets ?? []) {
      const secret = find('Secret', s.name);
      if (secret?.kind !== 'Secret' || secret.type !== 'kubernetes.io/dockerconfigjson')
        problems.push(`${where}: pull Secret ${s.name} is not planned`);
    }
    for (const v of pod.volumes ?? []) {
      if (v.configMap && !find('ConfigMap', v.configMap.name)) problems.push(`${where}: ConfigMap ${v.configMap.name}`);
      if (v.persistentVolumeClaim && !find('PersistentVolumeClaim', v.persistentVolumeClaim.claimName))
        problems.push(`${where}: PVC ${v.persistentVolumeClaim.claimName}`);
      if (v.secret) {
        const keys = secretKeys(v.secret.secretName ?? '');
        if (!keys) problems.push(`${where}: Secret ${v.secret.secretName}`);
        for (const item of v.secret.items ?? [])
          if (!keys?.includes(item.key)) problems.push(`${where}: Secret ${v.secret.secretName} has no ${item.key}`);
      }
      if (v.hostPath) {
        const kind = hostPathKind(v.hostPath.path);
        const type = v.hostPath.type;
        const fits =
          kind === 'socket' ? type === 'Socket' : kind === 'directory' ? type?.startsWith('Directory') : !type;
        if (!fits) problems.push(`${where}: hostPath ${v.hostPath.path} (${kind}) typed ${type}`);
      }
    }
    for (const c of pod.containers) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !secretKeys(ref.name ?? '')?.includes(ref.key))
          problems.push(`${where}: env ${e.name} → ${ref.name}`);
      }
    }
  }
  for (const s of objects.filter((o): o is IService & PlannedObject => o.kind === 'Service')) {
    const selector = Object.entries(s.spec?.selector ?? {});
    const selected = objects.filter(
      (o) =>
        o.kind === 'Deployment' &&
        selector.length > 0 &&
        selector.every(([k, v]) => o.spec?.template.metadata?.labels?.[k] === v),
    );
    if (selected.length !== 1) problems.push(`Service ${s.metadata?.name}: selects ${selected.length} Deployments`);
  }
  return problems;
}

describe('Azure sample manifests: the planned objects would start', () => {
  it('has at least five', () => assert.ok(samples.length >= 5, samples.join()));
  for (const name of samples) {
    it(name, () => {
      const manifest: unknown = JSON.parse(readFileSync(new URL(`${name}/manifest.json`, testdata), 'utf8'));
      const r = plan(edgeDeploymentFor(manifest), TEST_INPUTS);
      assert.ok(r.ok, formatIssues(r.issues));
      assert.deepEqual(
        r.objects.flatMap((o) => kubernetesProblems(o)),
        [],
        'a real API server would refuse these',
      );
      assert.deepEqual(problemsStarting(r.objects), [], 'these pods would not start');
      // Every module of the manifest has its Deployment.
      const modules = Object.keys(
        (manifest as { modulesContent: { $edgeAgent: { 'properties.desired': { modules: object } } } }).modulesContent
          .$edgeAgent['properties.desired'].modules,
      );
      const deployments = r.objects.filter((o) => o.kind === 'Deployment');
      assert.equal(deployments.length, modules.length + 1, 'one Deployment per module, and the hub');
      // Module env (account keys, SA passwords) reaches the module's container, never a ConfigMap.
      const env = modules.flatMap((m) => {
        const e = (
          manifest as {
            modulesContent: {
              $edgeAgent: {
                'properties.desired': { modules: Record<string, { env?: Record<string, { value: string }> }> };
              };
            };
          }
        ).modulesContent.$edgeAgent['properties.desired'].modules[m]!.env;
        return Object.values(e ?? {}).map((v) => v.value);
      });
      const configMaps = JSON.stringify(r.objects.filter((o) => o.kind === 'ConfigMap'));
      for (const value of env.filter((v) => v.length > 12))
        assert.ok(!configMaps.includes(value), `${value} in a ConfigMap`);
    });
  }

  it('the check finds what would not start (a Service selecting nothing, a file typed as a directory)', () => {
    const manifest: unknown = JSON.parse(readFileSync(new URL('azure-opc-publisher/manifest.json', testdata), 'utf8'));
    const r = plan(edgeDeploymentFor(manifest), TEST_INPUTS);
    assert.ok(r.ok);
    const broken = structuredClone(r.objects);
    const service = broken.find((o) => o.kind === 'Service' && o.metadata?.name === 'opcplc') as IService;
    service.spec!.selector = { 'edgehub.io/module': 'nothing' };
    const d = broken.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'opcpublisher') as IDeployment;
    d.spec!.template.spec!.volumes!.push({
      name: 'f',
      hostPath: { path: '/etc/localtime', type: 'DirectoryOrCreate' },
    });
    d.spec!.template.spec!.serviceAccountName = 'missing';
    assert.deepEqual(problemsStarting(broken), [
      'Deployment opcpublisher: no ServiceAccount',
      'Deployment opcpublisher: hostPath /etc/localtime (file) typed DirectoryOrCreate',
      'Service opcplc: selects 0 Deployments',
    ]);
  });
});
