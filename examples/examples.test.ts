// The examples a module author copies: the deployment manifest is valid and has what it shows off; the
// EdgeDeployment wraps exactly that manifest; both render to objects a real API server would accept; the
// modules are packaged the way their Dockerfiles and the manifest expect.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { PlannedObject } from '../agent/plan/plan.js';
import { kubernetesProblems } from '../agent/testing/kubernetes-rules.js';
import { validateManifest } from '../manifest/index.js';
import { parseYamlObjects, type RenderedObject } from '../deploy/testing/kustomize.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/edgehub.js', import.meta.url));
const MANIFEST = 'examples/deployment.json';
const EDGE_DEPLOYMENT = 'examples/edgedeployment.yaml';
const DEVICE = ['--device', 'dev1', '--namespace', 'edge-dev1'];

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const manifest = JSON.parse(read(MANIFEST)) as { modulesContent: Record<string, Record<string, unknown>> };

function edgehub(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** kind/name of every rendered object, and the problems a real API server would report. */
function checkRendered(yaml: string): { names: string[]; problems: string[] } {
  const objects = parseYamlObjects(yaml);
  return {
    names: objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    problems: objects.flatMap((o) => kubernetesProblems(o as unknown as PlannedObject)),
  };
}

describe('examples/deployment.json', () => {
  it('edgehub manifest validate: valid, with no warnings', () => {
    const r = edgehub(['manifest', 'validate', MANIFEST]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, `${MANIFEST}: valid (2 modules, 3 routes)\n`);
    const v = validateManifest(manifest);
    assert.ok(v.ok);
    assert.deepEqual(v.issues, []);
  });

  it('shows sensor → filter → $upstream, a $body condition, priorities and TTLs, module desired properties', () => {
    const v = validateManifest(manifest);
    assert.ok(v.ok);
    const routes = v.value.edgeHub.routes;
    const text = routes.map((r) => JSON.stringify(r));
    assert.ok(
      text.some((r) => r.includes('modules/sensor/outputs/temperatureOutput') && r.includes('filter/inputs/input1')),
    );
    assert.ok(text.some((r) => r.includes('modules/filter/outputs/output1') && r.includes('$upstream')));
    assert.ok(text.some((r) => r.includes('WHERE $body.')));
    const raw = manifest.modulesContent.$edgeHub!['properties.desired'] as { routes: Record<string, unknown> };
    assert.ok(
      Object.values(raw.routes).some(
        (r) => typeof r === 'object' && r !== null && 'priority' in r && 'timeToLiveSecs' in r,
      ),
    );
    for (const id of ['sensor', 'filter']) assert.ok(manifest.modulesContent[id]?.['properties.desired'], id);
  });

  it('edgehub manifest render --device dev1 --namespace edge-dev1: objects a real API server accepts', () => {
    const r = edgehub(['manifest', 'render', MANIFEST, ...DEVICE]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no warnings');
    const { names, problems } = checkRendered(r.stdout);
    assert.deepEqual(problems, []);
    for (const name of ['Deployment/edgehub', 'Deployment/sensor', 'Deployment/filter', 'Service/edgehub'])
      assert.ok(names.includes(name), name);
  });
});

describe('examples/edgedeployment.yaml', () => {
  const ed = parseYaml(read(EDGE_DEPLOYMENT)) as RenderedObject & { spec: Record<string, unknown> };

  it('wraps examples/deployment.json unchanged, for device dev1 in namespace edge-dev1', () => {
    assert.equal(ed.apiVersion, 'edgehub.io/v1alpha1');
    assert.equal(ed.kind, 'EdgeDeployment');
    assert.deepEqual(ed.metadata, { name: 'dev1', namespace: 'edge-dev1' });
    assert.deepEqual(ed.spec.modulesContent, manifest.modulesContent);
  });

  it('is the EdgeDeployment `edgehub deploy … --dry-run` builds from the manifest', () => {
    const r = edgehub(['deploy', MANIFEST, ...DEVICE, '--dry-run']);
    assert.equal(r.status, 0, r.stderr);
    const built = parseYamlObjects(r.stdout).find((o) => o.kind === 'EdgeDeployment');
    assert.deepEqual(ed, built);
  });

  it('edgehub manifest render: the same objects as the manifest, all valid', () => {
    const fromYaml = edgehub(['manifest', 'render', EDGE_DEPLOYMENT]);
    assert.equal(fromYaml.status, 0, fromYaml.stderr);
    const fromJson = edgehub(['manifest', 'render', MANIFEST, ...DEVICE]);
    const a = checkRendered(fromYaml.stdout);
    assert.deepEqual(a.problems, []);
    assert.deepEqual(a.names, checkRendered(fromJson.stdout).names);
  });
});

describe('examples/modules', () => {
  const rootPkg = JSON.parse(read('package.json')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const images = (
    manifest.modulesContent.$edgeAgent!['properties.desired'] as {
      modules: Record<string, { settings: { image: string } }>;
    }
  ).modules;

  for (const name of ['sensor', 'filter']) {
    it(`${name}: an ES module package with the SDK the repo tests with, and a non-root Dockerfile`, () => {
      const pkg = JSON.parse(read(`examples/modules/${name}/package.json`)) as {
        type: string;
        main: string;
        dependencies: Record<string, string>;
      };
      // "type": "module" keeps index.js an ES module when run from the repo root, as before.
      assert.equal(pkg.type, 'module');
      assert.equal(pkg.main, 'index.js');
      assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['azure-iot-device', 'azure-iot-device-mqtt']);
      for (const [dep, range] of Object.entries(pkg.dependencies))
        // The hub's upstream client makes the SDK a runtime dependency of the repo.
        assert.equal(range, rootPkg.dependencies[dep] ?? rootPkg.devDependencies[dep], dep);
      const dockerfile = read(`examples/modules/${name}/Dockerfile`);
      assert.match(dockerfile, /^FROM node:(22|24)-/m);
      assert.match(dockerfile, /^USER 1000:1000$/m);
      assert.match(dockerfile, /^CMD \["node", "index\.js"\]$/m);
      // The tag its header builds is the image the manifest runs.
      const tag = /docker build -t (\S+) /.exec(dockerfile)?.[1];
      assert.equal(tag, images[name]?.settings.image);
    });
  }
});
