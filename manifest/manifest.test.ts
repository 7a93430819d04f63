// Table test over manifest/testdata: every valid/*.json validates without errors; every invalid/*.json
// fails with exactly the errors it lists (path, and a fragment of the message).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildManifest, formatIssues, validateManifest } from './index.js';

const dir = new URL('./testdata/', import.meta.url);
const files = (sub: string) =>
  readdirSync(new URL(sub, dir))
    .filter((f) => f.endsWith('.json'))
    .sort();
const read = (path: string): unknown => JSON.parse(readFileSync(new URL(path, dir), 'utf8'));

interface InvalidCase {
  expect: { path: string; message: string }[];
  manifest: unknown;
}

describe('validateManifest: testdata/valid', () => {
  for (const file of files('valid/')) {
    it(file, () => {
      const r = validateManifest(read(`valid/${file}`));
      assert.equal(r.ok, true, `valid/${file}:\n${formatIssues(r.issues)}`);
      assert.deepEqual(
        r.issues.filter((i) => i.severity !== 'warning'),
        [],
      );
    });
  }
});

describe('validateManifest: testdata/invalid', () => {
  for (const file of files('invalid/')) {
    it(file, () => {
      const c = read(`invalid/${file}`) as InvalidCase;
      const r = validateManifest(c.manifest);
      assert.equal(r.ok, false, `invalid/${file} validated`);
      const errors = r.issues.filter((i) => i.severity !== 'warning');
      assert.deepEqual(
        errors.map((i) => i.path),
        c.expect.map((e) => e.path),
        `invalid/${file}:\n${formatIssues(errors)}`,
      );
      c.expect.forEach((e, i) =>
        assert.ok(
          errors[i]!.message.includes(e.message),
          `invalid/${file} row ${i}: "${errors[i]!.message}" lacks "${e.message}"`,
        ),
      );
    });
  }
});

describe('validateManifest: values', () => {
  it('reads the classic example into typed modules, routes and twins', () => {
    const r = validateManifest(read('valid/classic.json'));
    assert.ok(r.ok);
    const agent = r.value.edgeAgent!;
    assert.deepEqual(
      agent.modules.map((m) => [m.name, m.status, m.startupOrder, m.imagePullPolicy]),
      [
        ['SimulatedTemperatureSensor', 'running', 1, 'on-create'],
        ['filtermodule', 'running', 2, 'on-create'],
      ],
    );
    assert.deepEqual(agent.runtime.registryCredentials, [
      { name: 'myacr', username: 'myacr', password: '<secret>', address: 'myacr.azurecr.io' },
    ]);
    assert.deepEqual(
      agent.systemModules.edgeHub?.createOptions.portBindings.map((b) => b.hostPort),
      [5671, 8883, 443],
    );
    assert.deepEqual(
      r.value.edgeHub.routes.map((x) => x.name),
      ['sensorToFilter', 'filterToIoTHub', 'leafToIoTHub'],
    );
    assert.deepEqual(r.value.moduleTwins, { filtermodule: { TemperatureThreshold: 25 } });
  });

  it('joins createOptions chunks in order', () => {
    const r = validateManifest(read('valid/chunked-create-options.json'));
    assert.ok(r.ok);
    const co = r.value.edgeAgent!.modules[0]!.createOptions;
    assert.equal(co.source, 'chunks');
    assert.deepEqual(co.env, [
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
    ]);
    assert.deepEqual(co.cmd, ['--verbose']);
    assert.deepEqual(co.binds, [{ source: '/var/data', target: '/data', readOnly: true }]);
    assert.deepEqual(co.portBindings, [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }]);
    assert.deepEqual(co.labels, { team: 'edge' });
  });

  it('accepts createOptions as an object (edgehub extension) with keys in any case', () => {
    const r = validateManifest(read('valid/object-create-options.json'));
    assert.ok(r.ok);
    const m = r.value.edgeAgent!.modules[0]!;
    assert.equal(m.createOptions.source, 'object');
    assert.equal(m.createOptions.privileged, true);
    assert.equal(m.createOptions.networkMode, 'host');
    assert.equal(m.status, 'stopped');
  });

  it('reads "true" and "false" strings as booleans, as edgeAgent does (Newtonsoft), and refuses other strings', () => {
    const withOptions = (createOptions: unknown) => {
      const m = read('valid/classic.json') as { modulesContent: Record<string, Record<string, unknown>> };
      const desired = m.modulesContent.$edgeAgent!['properties.desired'] as {
        modules: Record<string, { settings: Record<string, unknown> }>;
      };
      desired.modules.filtermodule!.settings.createOptions = JSON.stringify(createOptions);
      return validateManifest(m);
    };
    const ok = withOptions({
      HostConfig: { Privileged: 'True', Mounts: [{ Type: 'bind', Source: '/a', Target: '/b', ReadOnly: 'false' }] },
    });
    assert.ok(ok.ok, formatIssues(ok.issues));
    const co = ok.value.edgeAgent!.modules.find((x) => x.name === 'filtermodule')!.createOptions;
    assert.equal(co.privileged, true);
    assert.equal(co.mounts[0]!.readOnly, false);
    const bad = withOptions({ HostConfig: { Privileged: 'yes' } });
    assert.equal(bad.ok, false);
    assert.match(formatIssues(bad.issues), /Privileged must be true or false, got a string \("yes"\)/);
  });

  it('normalises k8s-experimental service types and keeps the Kubernetes JSON', () => {
    const r = validateManifest(read('valid/k8s-experimental.json'));
    assert.ok(r.ok);
    const x = r.value.edgeAgent!.modules[0]!.createOptions.k8sExperimental;
    assert.deepEqual(x.serviceOptions, { type: 'NodePort' });
    assert.deepEqual(x.nodeSelector, { 'kubernetes.io/arch': 'amd64' });
    assert.deepEqual(x.strategy, { type: 'Recreate' });
    assert.equal(x.volumes?.[0]?.volume.name, 'cache');
  });

  it('warns about what it ignores without failing', () => {
    const doc = read('valid/classic.json') as {
      modulesContent: Record<string, Record<string, Record<string, unknown>>>;
    };
    const agent = doc.modulesContent.$edgeAgent!['properties.desired'] as {
      modules: Record<string, Record<string, unknown>>;
    };
    agent.modules.filtermodule!.color = 'blue';
    agent.modules.filtermodule!.settings = {
      image: 'x/y:1',
      createOptions: '{"Env":["NOVALUE"],"k8s-experimental":{"gpus":1}}',
    };
    doc.modulesContent.orphan = { 'properties.desired': {} };
    const r = validateManifest(doc);
    assert.ok(r.ok, formatIssues(r.issues));
    assert.deepEqual(
      r.issues.map((i) => [i.severity, i.path]),
      [
        ['warning', 'modulesContent.$edgeAgent["properties.desired"].modules.filtermodule.color'],
        [
          'warning',
          'modulesContent.$edgeAgent["properties.desired"].modules.filtermodule.settings.createOptions.Env[0]',
        ],
        [
          'warning',
          'modulesContent.$edgeAgent["properties.desired"].modules.filtermodule.settings.createOptions.k8s-experimental.gpus',
        ],
        ['warning', 'modulesContent.orphan'],
      ],
    );
    assert.match(formatIssues(r.issues), /: warning: ignored/);
  });

  it('accepts a manifest without $edgeAgent only when asked to (the hub reads its config that way)', () => {
    const doc = {
      modulesContent: {
        $edgeHub: {
          'properties.desired': {
            schemaVersion: '1.1',
            routes: {},
            storeAndForwardConfiguration: { timeToLiveSecs: 10 },
          },
        },
      },
    };
    assert.equal(validateManifest(doc).ok, false);
    const r = validateManifest(doc, { edgeAgent: 'optional' });
    assert.ok(r.ok);
    assert.equal(r.value.edgeAgent, undefined);
  });
});

describe('buildManifest', () => {
  it('writes a manifest that validates, with modules, routes, TTL and module twins', () => {
    const doc = buildManifest({
      modules: { sensor: 'acr.io/sensor:1' },
      routes: {
        r: 'FROM /* INTO $upstream',
        p: { route: 'FROM /messages/* INTO $upstream', priority: 0, timeToLiveSecs: 60 },
      },
      timeToLiveSecs: 30,
      desired: { sensor: { Threshold: 5 } },
    });
    const r = validateManifest(doc);
    assert.ok(r.ok, JSON.stringify(r.issues));
    assert.deepEqual(
      r.value.edgeAgent?.modules.map((m) => [m.name, m.image]),
      [['sensor', 'acr.io/sensor:1']],
    );
    assert.deepEqual(
      r.value.edgeHub.routes.map((x) => x.name),
      ['r', 'p'],
    );
    assert.equal(r.value.edgeHub.storeAndForwardConfiguration.timeToLiveSecs, 30);
    assert.deepEqual(r.value.moduleTwins.sensor, { Threshold: 5 });
  });
});
