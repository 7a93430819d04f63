// Test helpers: render the kustomize variants under deploy/ with the real `kubectl kustomize`, and compare
// object sets. Every variant names the `edgehub install` options that must print the same objects.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_INSTALL, type InstallOptions } from '../objects.js';

const DEPLOY = fileURLToPath(new URL('../', import.meta.url));

/** Any rendered object, as plain JSON. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** EDGEHUB_REQUIRE_TOOLS=1 (CI): a missing kubectl, yamllint or shellcheck fails the tests instead of skipping. */
const toolsRequired = process.env.EDGEHUB_REQUIRE_TOOLS === '1';

/** Why a test needing `command` cannot run here, or undefined when it can (always, with EDGEHUB_REQUIRE_TOOLS=1). */
export function missingTool(command: string, args: string[], install: string): string | undefined {
  if (toolsRequired) return undefined;
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return r.error || r.status !== 0 ? `${command} is not installed (${install})` : undefined;
}

/** Why the kustomize tests cannot run here (no kubectl), or undefined when they can. */
export const kubectlMissing = missingTool(
  'kubectl',
  ['version', '--client'],
  'the variants are rendered with `kubectl kustomize`: install kubectl ≥ 1.27',
);

export function parseYamlObjects(text: string): RenderedObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJSON() as RenderedObject | null;
    })
    .filter((o): o is RenderedObject => o !== null);
}

/** `kubectl kustomize <dir>`, parsed. */
export function kustomize(dir: string): RenderedObject[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `kubectl kustomize ${dir} failed:\n${r.stderr}`);
  return parseYamlObjects(r.stdout);
}

/** Renders a kustomization written into a temporary directory; `text` gets the path from there to deploy/. */
function kustomizeTemporary(text: (deploy: string) => string): RenderedObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'edgehub-kustomize-'));
  try {
    writeFileSync(join(dir, 'kustomization.yaml'), text(relative(dir, DEPLOY)));
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Variant {
  readonly name: string;
  /** The `edgehub install` flags that print the same objects. */
  readonly flags: readonly string[];
  readonly options: InstallOptions;
  render(): RenderedObject[];
}

/** overlays/namespaced with its commented-out `components:` enabled, moved to another namespace. */
function namespacedWithMonitoring(namespace: string): RenderedObject[] {
  const overlay = readFileSync(join(DEPLOY, 'overlays/namespaced/kustomization.yaml'), 'utf8');
  const enabled = overlay
    .replace('# components:\n#   - ../../components/monitoring', 'components:\n  - ../../components/monitoring')
    .replace('namespace: edge-dev1', `namespace: ${namespace}`);
  assert.notEqual(enabled, overlay, 'overlays/namespaced no longer has the commented-out components: lines');
  return kustomizeTemporary((deploy) => enabled.replaceAll('../../', `${deploy}/`));
}

export const VARIANTS: readonly Variant[] = [
  {
    name: 'deploy/base',
    flags: [],
    options: DEFAULT_INSTALL,
    render: () => kustomize(join(DEPLOY, 'base')),
  },
  {
    name: 'deploy/overlays/cluster-wide',
    flags: ['--with-monitoring'],
    options: { ...DEFAULT_INSTALL, monitoring: true },
    render: () => kustomize(join(DEPLOY, 'overlays/cluster-wide')),
  },
  {
    name: 'deploy/overlays/namespaced',
    flags: ['--scope', 'namespace', '--namespace', 'edge-dev1'],
    options: { ...DEFAULT_INSTALL, scope: 'namespace', namespace: 'edge-dev1' },
    render: () => kustomize(join(DEPLOY, 'overlays/namespaced')),
  },
  {
    name: 'deploy/base + namespace, images and the monitoring component (an operator overlay)',
    flags: ['-n', 'iot', '--image', 'registry.example.com/edgehub:1.2.3', '--with-monitoring'],
    options: { namespace: 'iot', image: 'registry.example.com/edgehub:1.2.3', scope: 'cluster', monitoring: true },
    render: () =>
      kustomizeTemporary((deploy) =>
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'namespace: iot',
          `resources: ['${deploy}/base']`,
          `components: ['${deploy}/components/monitoring']`,
          'images:',
          '  - name: ghcr.io/edgehub/edgehub',
          '    newName: registry.example.com/edgehub',
          "    newTag: '1.2.3'",
          '',
        ].join('\n'),
      ),
  },
  {
    name: 'deploy/overlays/namespaced with components: enabled, in namespace plant-7',
    flags: ['--scope', 'namespace', '--namespace', 'plant-7', '--with-monitoring'],
    options: { ...DEFAULT_INSTALL, scope: 'namespace', namespace: 'plant-7', monitoring: true },
    render: () => namespacedWithMonitoring('plant-7'),
  },
];

export function objectKey(o: RenderedObject): string {
  return `${o.apiVersion} ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

const plain = (o: unknown): unknown => JSON.parse(JSON.stringify(o)) as unknown;

/** Same objects (by apiVersion, kind, namespace and name), each deeply equal; order does not matter. */
export function assertSameObjects(actual: readonly unknown[], expected: readonly unknown[], what: string): void {
  const index = (list: readonly unknown[]) =>
    new Map(list.map((o) => [objectKey(o as RenderedObject), plain(o)] as const));
  const a = index(actual);
  const e = index(expected);
  assert.equal(a.size, actual.length, `${what}: duplicate objects`);
  assert.deepEqual([...a.keys()].sort(), [...e.keys()].sort(), `${what}: not the same objects`);
  for (const [key, object] of e) assert.deepEqual(a.get(key), object, `${what}: ${key} differs`);
}
