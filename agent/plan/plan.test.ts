// Golden tests of the planner: each folder in testdata/ holds manifest.json (and settings.json, the other
// spec fields) and expected.yaml, the objects the agent would apply or the issues that stop it.
// Every planned object must also pass what a real API server checks (testing/kubernetes-rules.ts).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatIssues } from '../../manifest/index.js';
import { edgeDeploymentFor, TEST_INPUTS } from '../testing/fixtures.js';
import { assertGolden } from '../testing/golden.js';
import { kubernetesProblems } from '../testing/kubernetes-rules.js';
import { toYamlDocuments } from '../yaml.js';
import { plan } from './plan.js';

const testdata = new URL('./testdata/', import.meta.url);
const cases = readdirSync(testdata, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function readCase(name: string) {
  const dir = new URL(`${name}/`, testdata);
  const json = (file: string): unknown => JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  const settings = existsSync(new URL('settings.json', dir)) ? (json('settings.json') as Record<string, unknown>) : {};
  return { dir, manifest: json('manifest.json'), settings };
}

describe('plan: golden files', () => {
  it('has cases', () => assert.ok(cases.length >= 8));
  for (const name of cases) {
    it(name, () => {
      const c = readCase(name);
      const result = plan(edgeDeploymentFor(c.manifest, { settings: c.settings }), TEST_INPUTS);
      const header = [
        `Planned by agent/plan/plan.test.ts from testdata/${name}/manifest.json; regenerate with UPDATE_GOLDEN=1.`,
      ];
      const issues = result.issues.map((i) => ({ path: i.path, message: i.message, severity: i.severity ?? 'error' }));
      const docs = result.ok ? [...(issues.length > 0 ? [{ warnings: issues }] : []), ...result.objects] : [{ issues }];
      assertGolden(new URL('expected.yaml', c.dir), toYamlDocuments(docs, header));
      if (result.ok) {
        const problems = result.objects.flatMap((o) => kubernetesProblems(o));
        assert.deepEqual(problems, [], `testdata/${name}: objects a real API server would reject`);
      }
      assert.equal(result.ok, !name.startsWith('invalid-'), formatIssues(result.issues));
    });
  }
});

describe('plan: properties', () => {
  const classic = readCase('classic');
  const ed = edgeDeploymentFor(classic.manifest);

  it('is deterministic', () => {
    assert.deepEqual(plan(ed, TEST_INPUTS), plan(structuredClone(ed), TEST_INPUTS));
  });

  it('gives every object our labels and a controller owner reference, but PVCs only under dataRetention: Delete', () => {
    const r = plan(ed, TEST_INPUTS);
    assert.ok(r.ok);
    const claims = r.objects.filter((o) => o.kind === 'PersistentVolumeClaim');
    assert.ok(claims.length > 0);
    for (const c of claims)
      assert.equal(c.metadata?.ownerReferences, undefined, `${c.metadata?.name}: retained by default`);
    const deleting = plan(edgeDeploymentFor(classic.manifest, { settings: { dataRetention: 'Delete' } }), TEST_INPUTS);
    assert.ok(deleting.ok);
    for (const o of deleting.objects) {
      assert.equal(
        o.metadata?.labels?.['app.kubernetes.io/managed-by'],
        'edgehub-agent',
        `${o.kind} ${o.metadata?.name}`,
      );
      assert.equal(o.metadata?.labels?.['edgehub.io/edge-deployment'], 'dev1');
      assert.deepEqual(o.metadata?.ownerReferences, [
        {
          apiVersion: 'edgehub.io/v1alpha1',
          kind: 'EdgeDeployment',
          name: 'dev1',
          uid: '11111111-2222-3333-4444-555555555555',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      assert.equal(o.metadata?.namespace, 'edge-dev1');
    }
  });

  it('never puts the device key or registry passwords in a ConfigMap', () => {
    const r = plan(ed, TEST_INPUTS);
    assert.ok(r.ok);
    const configMaps = JSON.stringify(r.objects.filter((o) => o.kind === 'ConfigMap'));
    assert.ok(!configMaps.includes(TEST_INPUTS.deviceKey));
    assert.ok(!configMaps.includes('<secret>'));
    assert.ok(!configMaps.includes('registryCredentials'));
  });

  it("gives the hub the module list, so only the manifest's modules may connect", () => {
    const r = plan(ed, TEST_INPUTS);
    assert.ok(r.ok);
    const cm = r.objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'edgehub-config');
    assert.ok(cm?.kind === 'ConfigMap');
    const config = JSON.parse(Object.values(cm.data ?? {})[0] ?? '{}') as {
      modulesContent: { $edgeAgent: { 'properties.desired': { modules: Record<string, unknown> } } };
    };
    assert.deepEqual(Object.keys(config.modulesContent.$edgeAgent['properties.desired'].modules).sort(), [
      'SimulatedTemperatureSensor',
      'filtermodule',
    ]);
  });

  it('gives modules a connection string whose key is derived from the device key', () => {
    const r = plan(ed, TEST_INPUTS);
    assert.ok(r.ok);
    const secret = r.objects.find((o) => o.kind === 'Secret' && o.metadata?.name === 'filtermodule-identity');
    assert.ok(secret?.kind === 'Secret');
    const text = Buffer.from(secret.data!.connectionString!, 'base64').toString();
    assert.match(
      text,
      /^HostName=edgehub\.edge-dev1\.svc;GatewayHostName=edgehub;DeviceId=dev1;ModuleId=filtermodule;SharedAccessKey=/,
    );
  });

  it('changes module pods when the device key changes (credentials are read at start)', () => {
    const a = plan(ed, TEST_INPUTS);
    const b = plan(ed, { ...TEST_INPUTS, deviceKey: Buffer.alloc(32, 9).toString('base64') });
    assert.ok(a.ok && b.ok);
    const digest = (r: typeof a) =>
      r.ok ? r.objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'filtermodule') : undefined;
    assert.notDeepEqual(digest(a), digest(b));
  });

  it('writes .NET configuration names with "__" for ":" (older API servers refuse ":"), and refuses names no API server before 1.32 takes', () => {
    const withEnv = (env: Record<string, { value: string }>) => {
      const m = structuredClone(classic.manifest) as { modulesContent: Record<string, Record<string, unknown>> };
      const modules = (
        m.modulesContent.$edgeAgent!['properties.desired'] as { modules: Record<string, Record<string, unknown>> }
      ).modules;
      modules.filtermodule!.env = env;
      return plan(edgeDeploymentFor(m), TEST_INPUTS);
    };
    const ok = withEnv({ 'Logging:LogLevel:Default': { value: 'Debug' } });
    assert.ok(ok.ok, formatIssues(ok.issues));
    const d = ok.objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'filtermodule');
    const env = d?.kind === 'Deployment' ? d.spec!.template.spec!.containers[0]!.env! : [];
    assert.deepEqual(
      env.find((e) => e.name.startsWith('Logging')),
      { name: 'Logging__LogLevel__Default', value: 'Debug' },
    );
    assert.ok(ok.issues.some((i) => i.severity === 'warning' && /Logging__LogLevel__Default/.test(i.message)));
    const bad = withEnv({ '2fast to start': { value: 'x' } });
    assert.equal(bad.ok, false);
    assert.match(
      formatIssues(bad.issues),
      /module filtermodule: environment variable name "2fast to start" is refused/,
    );
  });

  it('never copies module env or createOptions (where secrets live) into the hub ConfigMap', () => {
    const m = structuredClone(classic.manifest) as { modulesContent: Record<string, Record<string, unknown>> };
    const modules = (
      m.modulesContent.$edgeAgent!['properties.desired'] as { modules: Record<string, Record<string, unknown>> }
    ).modules;
    modules.filtermodule!.env = { DB_PASSWORD: { value: 's3cret-env' } };
    (modules.filtermodule!.settings as Record<string, unknown>).createOptions = '{"Env":["API_KEY=s3cret-co"]}';
    const r = plan(edgeDeploymentFor(m), TEST_INPUTS);
    assert.ok(r.ok, formatIssues(r.issues));
    const configMaps = JSON.stringify(r.objects.filter((o) => o.kind === 'ConfigMap'));
    assert.ok(!configMaps.includes('s3cret'), 'a secret reached a ConfigMap');
    assert.ok(configMaps.includes('myacr.azurecr.io/filtermodule'), 'the hub still sees the module and its image');
    const d = r.objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'filtermodule');
    assert.ok(JSON.stringify(d).includes('s3cret-env'), 'the module itself gets its env');
  });

  it('refuses two registry credentials whose Secret names would be one', () => {
    const m = structuredClone(classic.manifest) as { modulesContent: Record<string, Record<string, unknown>> };
    const runtime = (
      m.modulesContent.$edgeAgent!['properties.desired'] as { runtime: { settings: Record<string, unknown> } }
    ).runtime;
    const cred = { username: 'u', password: 'p', address: 'myacr.azurecr.io' };
    runtime.settings.registryCredentials = { my_acr: cred, 'my.acr': { ...cred, address: 'other.azurecr.io' } };
    const r = plan(edgeDeploymentFor(m), TEST_INPUTS);
    assert.equal(r.ok, false);
    assert.match(
      formatIssues(r.issues),
      /registry credentials "my_acr" and "my\.acr" would both be Secret edgehub-registry-my-acr/,
    );
  });
});
