// The Kube wrapper against the fake API server, through the real client-node: what the controller relies on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODES, type AgentError } from '../errors.js';
import { FakeApiServer } from '../testing/fake-api-server.js';
import { Kube, type KubeObject, type WatchEventType } from './kube.js';
import { RESOURCES } from './resources.js';

const configMap = (name: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns1', labels },
  data,
});

async function eventually(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Kube (client-node 1.4 against the fake API server)', () => {
  let fake: FakeApiServer;
  let kube: Kube;
  before(async () => {
    fake = await FakeApiServer.start();
    kube = new Kube(fake.kubeConfig(), 'test-manager');
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
  });
  after(() => fake.close());

  it('creates, reads, lists by label and tells a missing object from an error', async () => {
    await kube.create(configMap('a', { x: '1' }, { app: 'one' }));
    await kube.create(configMap('b', { x: '2' }, { app: 'two' }));
    assert.deepEqual((await kube.get(RESOURCES.configMap, 'ns1', 'a'))?.data, { x: '1' });
    assert.equal(await kube.get(RESOURCES.configMap, 'ns1', 'missing'), undefined);
    const list = await kube.list(RESOURCES.configMap, 'ns1', 'app=two');
    assert.deepEqual(
      list.items.map((o) => [o.kind, o.metadata.name]),
      [['ConfigMap', 'b']],
    );
    assert.match(list.resourceVersion, /^\d+$/);
  });

  it('maps a stale replace to a retryable conflict and a create in a missing namespace to not-found', async () => {
    const a = (await kube.get(RESOURCES.configMap, 'ns1', 'a'))!;
    await kube.replace({ ...a, data: { x: 'new' } });
    const err = (await kube.replace({ ...a, data: { x: 'stale' } }).catch((e: unknown) => e)) as AgentError;
    assert.equal(err.code, ERROR_CODES.conflict);
    assert.equal(err.retryable, true);
    const missing = (await kube
      .create({ ...configMap('c', {}), metadata: { name: 'c', namespace: 'nope' } })
      .catch((e: unknown) => e)) as AgentError;
    assert.equal(missing.code, ERROR_CODES.notFound);
  });

  it('server-side applies: creates, updates, drops fields it no longer applies, keeps others', async () => {
    await kube.apply(configMap('applied', { one: '1', two: '2' }));
    const live = (await kube.get(RESOURCES.configMap, 'ns1', 'applied'))!;
    await kube.replace({ ...live, metadata: { ...live.metadata, annotations: { 'someone/else': 'x' } } });
    await kube.apply(configMap('applied', { one: '1' }));
    const after = (await kube.get(RESOURCES.configMap, 'ns1', 'applied'))!;
    assert.deepEqual(after.data, { one: '1' });
    assert.deepEqual(after.metadata.annotations, { 'someone/else': 'x' });
    const apply = fake.requests.at(-2)!;
    assert.deepEqual([apply.method, apply.verb, apply.resource], ['PATCH', 'patch', 'configmaps']);
  });

  it('deletes once, then reports the object gone', async () => {
    assert.equal(await kube.delete(RESOURCES.configMap, 'ns1', 'b'), true);
    assert.equal(await kube.delete(RESOURCES.configMap, 'ns1', 'b'), false);
  });

  it('patches a custom resource status through the status subresource only', async () => {
    await kube.create({
      apiVersion: 'edgehub.io/v1alpha1',
      kind: 'EdgeDeployment',
      metadata: { name: 'dev1', namespace: 'ns1' },
      spec: { modulesContent: {} },
      status: { ignored: true },
    });
    await kube.patchStatus(RESOURCES.edgeDeployment, 'ns1', 'dev1', { observedGeneration: 1 });
    const ed = (await kube.get(RESOURCES.edgeDeployment, 'ns1', 'dev1'))!;
    assert.deepEqual(ed.status, { observedGeneration: 1 });
    assert.equal(ed.metadata.generation, 1);
    assert.equal(fake.requests.at(-2)?.subresource, 'status');
  });

  it('streams watch events, and reports an expired resourceVersion as an ERROR event', async () => {
    const events: [WatchEventType, string][] = [];
    let done: AgentError | undefined | null = null;
    const { resourceVersion } = await kube.list(RESOURCES.configMap, 'ns1');
    const handle = kube.watch(
      RESOURCES.configMap,
      'ns1',
      { resourceVersion },
      (type, o) => events.push([type, o.metadata.name]),
      (err) => (done = err),
    );
    await eventually(() => fake.openWatches === 1, 'the watch to open');
    await kube.create(configMap('w', {}));
    await kube.delete(RESOURCES.configMap, 'ns1', 'w');
    await eventually(() => events.length === 2, 'two events');
    assert.deepEqual(events, [
      ['ADDED', 'w'],
      ['DELETED', 'w'],
    ]);
    handle.stop();
    await eventually(() => done !== null, 'the watch to end');

    fake.store.compact();
    const errors: unknown[] = [];
    kube.watch(
      RESOURCES.configMap,
      'ns1',
      { resourceVersion },
      (type, o) => errors.push([type, (o as unknown as { code: number }).code]),
      () => undefined,
    );
    await eventually(() => errors.length === 1, 'the 410 event');
    assert.deepEqual(errors, [['ERROR', 410]]);
  });

  it('reports injected server errors as retryable, and a refused watch through onDone', async () => {
    fake.fail({ method: 'GET', path: /configmaps$/, status: 500 });
    const err = (await kube.list(RESOURCES.configMap, 'ns1').catch((e: unknown) => e)) as AgentError;
    assert.equal(err.code, ERROR_CODES.unavailable);
    assert.equal(err.retryable, true);
    fake.fail({ watch: true, status: 410 });
    let watchErr: AgentError | undefined;
    kube.watch(
      RESOURCES.configMap,
      'ns1',
      {},
      () => undefined,
      (e) => (watchErr = e),
    );
    await eventually(() => watchErr !== undefined, 'the watch error');
    assert.equal(watchErr?.code, ERROR_CODES.gone);
  });
});

describe('Kube: what is sent is what was planned', () => {
  // Cases share object names, so later cases exercise updates (apply over an existing object) too.
  it('round-trips every object of every golden plan through client-node unchanged', async () => {
    const { readdirSync, readFileSync, existsSync } = await import('node:fs');
    const { plan } = await import('../plan/plan.js');
    const { edgeDeploymentFor, TEST_INPUTS } = await import('../testing/fixtures.js');
    const { immutableViolation } = await import('../testing/fake-immutable.js');
    const { resourceOf } = await import('./resources.js');
    const fake = await FakeApiServer.start();
    try {
      const kube = new Kube(fake.kubeConfig(), 'edgehub-agent');
      await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-dev1' } });
      const testdata = new URL('../plan/testdata/', import.meta.url);
      let checked = 0;
      for (const name of readdirSync(testdata).filter((n) => !n.startsWith('invalid-'))) {
        const dir = new URL(`${name}/`, testdata);
        const manifest: unknown = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
        const settings = existsSync(new URL('settings.json', dir))
          ? (JSON.parse(readFileSync(new URL('settings.json', dir), 'utf8')) as Record<string, unknown>)
          : {};
        const r = plan(edgeDeploymentFor(manifest, { settings }), TEST_INPUTS);
        assert.ok(r.ok, name);
        for (const planned of r.objects as unknown as KubeObject[]) {
          // An object whose immutable fields differ between cases is made again, as the agent does.
          const type = resourceOf(planned.apiVersion, planned.kind)!;
          const existing = await kube.get(type, 'edge-dev1', planned.metadata.name);
          if (existing && immutableViolation(planned.kind, existing as never, planned as never))
            await kube.delete(type, 'edge-dev1', planned.metadata.name);
          const stored = (await kube.apply(planned)) as Record<string, unknown> & KubeObject;
          const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, ...meta } = stored.metadata;
          // What the server fills in (a Service's cluster IP) is not what was sent.
          if (stored.kind === 'Service' && (planned.spec as { clusterIP?: string }).clusterIP === undefined) {
            const { clusterIP: _ip, clusterIPs: _ips, ...spec } = stored.spec as Record<string, unknown>;
            stored.spec = spec;
          }
          assert.deepEqual({ ...stored, metadata: meta }, planned, `${name}: ${planned.kind} ${planned.metadata.name}`);
          checked++;
        }
      }
      assert.ok(checked > 50, `${checked} objects checked`);
    } finally {
      await fake.close();
    }
  });
});
