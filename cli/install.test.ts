// `edgehub install` prints exactly what `kubectl kustomize` renders from deploy/, for every variant: the base,
// both overlays, and overlays an operator would write (another namespace and image, monitoring on).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { assertSameObjects, kubectlMissing, parseYamlObjects, VARIANTS } from '../deploy/testing/kustomize.js';
import { DEFAULT_INSTALL, installObjects } from '../deploy/objects.js';
import { UsageError } from './command.js';
import { installOptions, renderInstall } from './install.js';

const BIN = new URL('../bin/edgehub.js', import.meta.url).pathname;

function edgehub(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

describe('edgehub install', () => {
  for (const variant of VARIANTS) {
    it(`edgehub install ${variant.flags.join(' ')} == kubectl kustomize ${variant.name}`, (t) => {
      assert.deepEqual(installOptions([...variant.flags]), variant.options);
      if (kubectlMissing) return t.skip(kubectlMissing);
      const printed = parseYamlObjects(renderInstall(variant.options));
      assertSameObjects(printed, variant.render(), variant.name);
    });
  }

  it('runs as a command: `edgehub install` prints the base, with a header saying how to apply it', () => {
    const r = edgehub(['install']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, renderInstall(DEFAULT_INSTALL));
    assert.match(r.stdout, /^# edgehub install --scope cluster --namespace edgehub-system/);
    assert.match(r.stdout, /kubectl apply --server-side -f -/);
    assertSameObjects(parseYamlObjects(r.stdout), installObjects(DEFAULT_INSTALL), 'edgehub install');
  });

  it('orders objects for kubectl apply: namespace and CRD first, the Deployment after its RBAC', () => {
    const kinds = installObjects({ ...DEFAULT_INSTALL, monitoring: true }).map((o) => o.kind);
    assert.deepEqual(kinds.slice(0, 3), ['Namespace', 'CustomResourceDefinition', 'ServiceAccount']);
    assert.ok(kinds.indexOf('Deployment') > kinds.lastIndexOf('RoleBinding'));
  });

  it('refuses bad flags with exit status 2 and names the flag', () => {
    for (const [args, message] of [
      [['--scope', 'everything'], /--scope must be cluster or namespace/],
      [['--namespace', 'Edge_System'], /--namespace must be a DNS label/],
      [['--image', ''], /--image needs an image reference/],
      [['--unknown'], /Unknown option/],
    ] as const) {
      assert.throws(
        () => installOptions([...args]),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    }
    const r = edgehub(['install', '--scope', 'everything']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /edgehub install: --scope must be cluster or namespace/);
    assert.equal(r.stdout, '');
  });

  it('--help describes every flag', () => {
    assert.equal(installOptions(['--help']), undefined);
    const r = edgehub(['install', '--help']);
    assert.equal(r.status, 0, r.stderr);
    for (const flag of ['--namespace', '--image', '--scope', '--with-monitoring'])
      assert.ok(r.stdout.includes(flag), flag);
  });
});
