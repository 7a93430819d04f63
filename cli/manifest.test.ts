// `edgehub manifest` and `edgehub deploy` run for real: a child process, files, exit codes, and for deploy
// the fake API server through a kubeconfig file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Kube } from '../agent/apply/kube.js';
import { RESOURCES } from '../agent/apply/resources.js';
import type { PlannedObject } from '../agent/plan/context.js';
import { FakeApiServer } from '../agent/testing/fake-api-server.js';
import { kubernetesProblems } from '../agent/testing/kubernetes-rules.js';

const BIN = new URL('../bin/edgehub.js', import.meta.url).pathname;
const CLASSIC = new URL('../manifest/testdata/valid/classic.json', import.meta.url).pathname;

function edgehub(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('edgehub manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgehub-manifest-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('validates the manifest inside an EdgeDeployment, also in a YAML file with several documents', async () => {
    const ed = readFileSync(new URL('../examples/edgedeployment.yaml', import.meta.url), 'utf8');
    const multi = join(dir, 'with-namespace.yaml');
    writeFileSync(multi, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge-dev1\n---\n${ed}`);
    const r = await edgehub(['manifest', 'validate', multi]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /valid \(2 modules, 3 routes\)/);
    const broken = join(dir, 'broken-ed.yaml');
    writeFileSync(broken, ed.replaceAll("schemaVersion: '1.1'", "schemaVersion: '7.0'"));
    const bad = await edgehub(['manifest', 'validate', broken]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /unsupported schemaVersion/);
  });

  it('says which documents a YAML file holds when none is an EdgeDeployment (the YAML itself is valid)', async () => {
    const file = join(dir, 'two.yaml');
    writeFileSync(file, 'kind: Namespace\n---\nkind: ConfigMap\n');
    const r = await edgehub(['manifest', 'validate', file]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /holds 2 YAML documents \(Namespace, ConfigMap\) and none is an EdgeDeployment/);
    assert.doesNotMatch(r.stderr, /not valid YAML/);
  });

  it('runs through a symbolic link to the bin, as node_modules/.bin and npm link make', async () => {
    const link = join(dir, 'edgehub-link');
    symlinkSync(BIN, link);
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [link, 'manifest', 'validate', CLASSIC], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /valid/);
  });

  it('validate: exit 0 for a valid manifest, 1 with each issue and its JSON path, 2 for a missing file', async () => {
    const ok = await edgehub(['manifest', 'validate', CLASSIC]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /valid \(2 modules, 3 routes\)/);
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        modulesContent: {
          $edgeAgent: {
            'properties.desired': {
              schemaVersion: '1.1',
              runtime: { type: 'docker' },
              modules: { m: { type: 'docker', status: 'paused', settings: {} } },
            },
          },
        },
      }),
    );
    const r = await edgehub(['manifest', 'validate', bad]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /modulesContent\.\$edgeAgent\["properties\.desired"\]\.modules\.m\.status: must be one of running, stopped/,
    );
    assert.match(r.stdout, /modules\.m\.settings\.image: image is missing/);
    assert.match(r.stdout, /modulesContent\.\$edgeHub: \$edgeHub is missing/);
    assert.equal((await edgehub(['manifest', 'validate', join(dir, 'nope.json')])).code, 2);
  });

  it('render: turns the classic example into objects a real API server accepts', async () => {
    const r = await edgehub(['manifest', 'render', CLASSIC, '--device', 'dev1', '--namespace', 'edge-dev1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^# edgehub manifest render: .*\n# The device key, the CA and the hub certificate below were generated for this rendering only/,
    );
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJSON() as PlannedObject);
    assert.deepEqual(
      objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata?.name),
      ['edgehub', 'filtermodule', 'simulatedtemperaturesensor'],
    );
    assert.deepEqual(
      objects.flatMap((o) => kubernetesProblems(o)),
      [],
    );
  });

  it('render: is reproducible in its module credentials with --device-key, and refuses an invalid manifest', async () => {
    const key = Buffer.alloc(32, 3).toString('base64');
    const args = ['manifest', 'render', CLASSIC, '--device', 'dev1', '--namespace', 'ns', '--device-key', key];
    const secret = (out: string) => /name: filtermodule-identity[\s\S]*?connectionString: (\S+)/.exec(out)?.[1];
    const [a, b] = await Promise.all([edgehub(args), edgehub(args)]);
    assert.ok(secret(a.stdout));
    assert.equal(secret(a.stdout), secret(b.stdout));
    const r = await edgehub([
      'manifest',
      'render',
      CLASSIC,
      '--device',
      'dev1',
      '--namespace',
      'ns',
      '--hub-service-type',
      'Bogus',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--hub-service-type must be one of/);
  });
});

describe('edgehub deploy', () => {
  let fake: FakeApiServer;
  const dir = mkdtempSync(join(tmpdir(), 'edgehub-deploy-'));
  const kubeconfig = join(dir, 'kubeconfig');
  before(async () => {
    fake = await FakeApiServer.start();
    writeFileSync(kubeconfig, fake.kubeConfig('cli').exportConfig());
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an EdgeDeployment file and says how to apply it', async () => {
    const ed = new URL('../examples/edgedeployment.yaml', import.meta.url).pathname;
    const r = await edgehub(['deploy', ed, '--device', 'd1', '--namespace', 'n1', '--dry-run']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /is an EdgeDeployment already: apply it with "kubectl apply --server-side -f/);
  });

  it('--dry-run prints the Namespace and the EdgeDeployment with modulesContent unchanged', async () => {
    const r = await edgehub(['deploy', CLASSIC, '--device', 'Plant-7:Line_2', '--namespace', 'plant7', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    const [ns, ed] = parseAllDocuments(r.stdout).map((d) => d.toJSON() as Record<string, Record<string, unknown>>);
    assert.equal(ns!.kind, 'Namespace');
    assert.deepEqual(ed!.metadata, { name: 'plant-7-line-2', namespace: 'plant7' });
    assert.equal(ed!.spec!.deviceId, 'Plant-7:Line_2');
  });

  it('creates, then updates, the namespace and the EdgeDeployment', async () => {
    const env = { KUBECONFIG: kubeconfig };
    const first = await edgehub(
      ['deploy', CLASSIC, '--device', 'dev1', '--namespace', 'edge-dev1', '--hub-service-type', 'LoadBalancer'],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    const second = await edgehub(['deploy', CLASSIC, '--device', 'dev1', '--namespace', 'edge-dev1'], env);
    assert.equal(second.code, 0, second.stderr);
    const kube = new Kube(fake.kubeConfig('tester'), 'tester');
    assert.ok(await kube.get(RESOURCES.namespace, undefined, 'edge-dev1'));
    const ed = await kube.get(RESOURCES.edgeDeployment, 'edge-dev1', 'dev1');
    const spec = ed?.spec as { deviceId: string; hub?: unknown; modulesContent: Record<string, unknown> };
    assert.equal(spec.deviceId, 'dev1');
    assert.equal(spec.hub, undefined, 'a setting dropped from the command line is dropped from the spec');
    assert.deepEqual(Object.keys(spec.modulesContent), ['$edgeAgent', '$edgeHub', 'filtermodule']);
    assert.ok(fake.requests.some((r) => r.user === 'cli' && r.verb === 'patch' && r.resource === 'edgedeployments'));
  });
});
