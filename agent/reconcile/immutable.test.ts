// Edits that touch fields the API server will not change: the fake refuses them with 422 as a real server
// does, and the agent recreates what can be recreated (a Deployment whose selector follows a new deviceId)
// and refuses, in status, what holds data (a PVC's class, size, access mode), while the rest still applies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../apply/kube.js';
import { RESOURCES } from '../apply/resources.js';
import { classicManifest, eventually, Harness, imageOf, modulesOf, NAMESPACE } from '../testing/harness.js';

const selectorOf = (o: KubeObject | undefined) =>
  (o?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
const sizeOf = (o: KubeObject | undefined) =>
  (o?.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources?.requests?.storage;

describe('the fake API server refuses immutable-field changes (422), as a real one', () => {
  it('Deployment selector, PVC spec, Service clusterIP, Secret type', async () => {
    const h = await Harness.start({ kubelet: false });
    try {
      const meta = (name: string) => ({ name, namespace: NAMESPACE });
      const selector = (v: string) => ({ matchLabels: { app: v } });
      const template = (v: string) => ({
        metadata: { labels: { app: v } },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      });
      const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('d') };
      await h.kube.apply({ ...d, spec: { selector: selector('a'), template: template('a') } });
      await assert.rejects(
        h.kube.apply({ ...d, spec: { selector: selector('b'), template: template('b') } }),
        /spec\.selector: Invalid value: .*field is immutable/,
      );
      const pvc = (size: string, storageClassName = 'standard') => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta('p'),
        spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: size } } },
      });
      await h.kube.apply(pvc('2Gi'));
      await assert.rejects(h.kube.apply(pvc('1Gi')), /can not be less than previous value/);
      await assert.rejects(h.kube.apply(pvc('2Gi', 'fast')), /spec is immutable after creation/);
      await h.kube.apply(pvc('3Gi'));
      const svc = { apiVersion: 'v1', kind: 'Service', metadata: meta('s') };
      await h.kube.apply({ ...svc, spec: { ports: [{ port: 80 }] } });
      const assigned = (await h.get(RESOURCES.service, 's'))?.spec as { clusterIP?: string } | undefined;
      assert.match(assigned?.clusterIP ?? '', /^10\.96\./, 'the server assigns a cluster IP');
      await assert.rejects(h.kube.apply({ ...svc, spec: { clusterIP: 'None' } }), /may not change once set/);
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: meta('x') };
      await h.kube.apply({ ...secret, type: 'Opaque' });
      await assert.rejects(h.kube.apply({ ...secret, type: 'kubernetes.io/tls' }), /type: .*field is immutable/);
    } finally {
      await h.close();
    }
  });
});

describe('agent: immutable fields', () => {
  let h: Harness;
  const manifest = classicManifest();
  before(async () => {
    h = await Harness.start();
    await h.startAgent();
    await h.applyEdgeDeployment(manifest, 'dev1', { deviceId: 'dev1' });
    await eventually(async () => (await h.condition('Ready'))?.status === 'True', 'Ready');
  });
  after(() => h.close());

  it('a new deviceId recreates every Deployment (their selectors change) and the device runs again', async () => {
    const before = await h.get(RESOURCES.deployment, 'filtermodule');
    assert.equal(selectorOf(before)?.['edgehub.io/device'], 'dev1');
    await h.applyEdgeDeployment(manifest, 'dev1', { deviceId: 'dev1-renamed' });
    const afterChange = await eventually(async () => {
      const d = await h.get(RESOURCES.deployment, 'filtermodule');
      return selectorOf(d)?.['edgehub.io/device'] === 'dev1-renamed' ? d : undefined;
    }, 'the new selector');
    assert.notEqual(afterChange.metadata.uid, before!.metadata.uid, 'deleted and created again');
    for (const name of ['edgehub', 'simulatedtemperaturesensor']) {
      await eventually(
        async () => selectorOf(await h.get(RESOURCES.deployment, name))?.['edgehub.io/device'] === 'dev1-renamed',
        `${name} recreated`,
      );
    }
    await eventually(async () => (await h.condition('Ready'))?.status === 'True', 'Ready again');
    assert.equal((await h.condition('Degraded'))?.status, 'False');
  });

  it('a module that gains ports has its headless Service made again with a cluster IP (clusterIP is immutable)', async () => {
    const before = await h.get(RESOURCES.service, 'filtermodule');
    assert.equal((before?.spec as { clusterIP?: string }).clusterIP, 'None');
    const settings = modulesOf(manifest).filtermodule!.settings as Record<string, unknown>;
    settings.createOptions = '{"ExposedPorts":{"8080/tcp":{}}}';
    await h.applyEdgeDeployment(manifest, 'dev1', { deviceId: 'dev1-renamed' });
    const after = await eventually(async () => {
      const s = await h.get(RESOURCES.service, 'filtermodule');
      return (s?.spec as { clusterIP?: string } | undefined)?.clusterIP !== 'None' ? s : undefined;
    }, 'a ClusterIP Service');
    assert.notEqual(after.metadata.uid, before!.metadata.uid);
    assert.deepEqual(
      (after.spec as { ports?: { port: number }[] }).ports?.map((p) => p.port),
      [8080],
    );
    assert.equal(h.fake.requests.filter((r) => r.status === 422).length, 0);
  });

  it('a PVC size or class change is refused with a reason in status; the claim keeps its data, the rest applies', async () => {
    modulesOf(manifest).cache = {
      type: 'docker',
      settings: { image: 'example.com/cache:1', createOptions: '{"HostConfig":{"Binds":["cachedata:/data"]}}' },
    };
    const settings = { deviceId: 'dev1-renamed', modules: { volumeClaims: { size: '1Gi' } } };
    await h.applyEdgeDeployment(manifest, 'dev1', settings);
    const claim = await eventually(async () => await h.get(RESOURCES.persistentVolumeClaim, 'cachedata'), 'the PVC');
    assert.equal(sizeOf(claim), '1Gi');

    (modulesOf(manifest).filtermodule!.settings as Record<string, unknown>).image = 'myacr.azurecr.io/filtermodule:2';
    await h.applyEdgeDeployment(manifest, 'dev1', {
      ...settings,
      modules: { volumeClaims: { size: '5Gi', storageClassName: 'fast' } },
    });
    const degraded = await eventually(async () => {
      const c = await h.condition('Degraded');
      return c?.reason === 'ImmutableFieldChanged' ? c : undefined;
    }, 'Degraded/ImmutableFieldChanged');
    assert.equal(degraded.status, 'True');
    assert.match(
      degraded.message,
      /PersistentVolumeClaim cachedata keeps its data.*storageClassName .*→ fast.*size 1Gi → 5Gi/,
    );
    const issues = (await h.status())!.issues as { path: string; message: string }[];
    assert.ok(issues.some((i) => i.path === 'spec.modules.volumeClaims' && /cachedata/.test(i.message)));
    // Everything else applied: the new image, and the claim is still there as it was.
    await eventually(
      async () => imageOf(await h.get(RESOURCES.deployment, 'filtermodule'))?.endsWith(':2'),
      'the new image applied',
    );
    const still = await h.get(RESOURCES.persistentVolumeClaim, 'cachedata');
    assert.equal(still?.metadata.uid, claim.metadata.uid);
    assert.equal(sizeOf(still), '1Gi');
    assert.equal(
      h.fake.requests.filter((r) => r.status === 422).length,
      0,
      'the agent never sends a change the server refuses',
    );

    // Back to what the claim has: nothing is refused any more.
    await h.applyEdgeDeployment(manifest, 'dev1', settings);
    await eventually(async () => (await h.condition('Degraded'))?.status === 'False', 'Degraded=False');
  });
});
