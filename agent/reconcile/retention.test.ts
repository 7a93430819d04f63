// A device's data outlives its modules and its EdgeDeployment by default (dataRetention: Retain), and a new
// EdgeDeployment of the same name takes it up again; `Delete` lets it go. And server-side apply never takes
// over an object of a planned name that the agent did not make.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESOURCES } from '../apply/resources.js';
import { classicManifest, eventually, Harness, modulesOf, NAMESPACE } from '../testing/harness.js';

const CACHE = {
  type: 'docker',
  settings: { image: 'example.com/cache:1', createOptions: '{"HostConfig":{"Binds":["cachedata:/data"]}}' },
};

describe('agent: data retention', () => {
  it('Retain (default): the store, the claims, the device key and CA survive deletion and are taken up again', async () => {
    const h = await Harness.start();
    try {
      await h.startAgent();
      const manifest = classicManifest();
      modulesOf(manifest).cache = CACHE;
      await h.applyEdgeDeployment(manifest);
      await eventually(async () => (await h.condition('Ready'))?.status === 'True', 'Ready');
      const before = {
        store: (await h.get(RESOURCES.persistentVolumeClaim, 'edgehub-data'))!,
        cache: (await h.get(RESOURCES.persistentVolumeClaim, 'cachedata'))!,
        key: (await h.get(RESOURCES.secret, 'edgehub-device-key'))!,
        ca: (await h.get(RESOURCES.secret, 'edgehub-device-ca'))!,
        identity: (await h.get(RESOURCES.secret, 'filtermodule-identity'))!,
      };
      await h.kube.delete(RESOURCES.edgeDeployment, NAMESPACE, 'dev1');
      await eventually(async () => (await h.names(RESOURCES.deployment)).length === 0, 'Deployments collected');
      await eventually(async () => (await h.get(RESOURCES.secret, 'filtermodule-identity')) === undefined, 'identity');
      for (const [what, o, type] of [
        ['store', before.store, RESOURCES.persistentVolumeClaim],
        ['cache', before.cache, RESOURCES.persistentVolumeClaim],
        ['key', before.key, RESOURCES.secret],
        ['ca', before.ca, RESOURCES.secret],
      ] as const) {
        assert.equal((await h.get(type, o.metadata.name))?.metadata.uid, o.metadata.uid, `${what} survives`);
      }

      await h.applyEdgeDeployment(manifest);
      await eventually(async () => (await h.condition('Ready'))?.status === 'True', 'Ready again');
      assert.equal(
        (await h.get(RESOURCES.persistentVolumeClaim, 'edgehub-data'))?.metadata.uid,
        before.store.metadata.uid,
      );
      assert.equal(
        (await h.get(RESOURCES.persistentVolumeClaim, 'cachedata'))?.metadata.uid,
        before.cache.metadata.uid,
      );
      // Same device key, so the modules' keys (and any identity registered elsewhere) are the same.
      assert.deepEqual((await h.get(RESOURCES.secret, 'filtermodule-identity'))?.data, before.identity.data);
      assert.equal((await h.condition('Degraded'))?.status, 'False', 'our own retained objects are no strangers');
    } finally {
      await h.close();
    }
  });

  it('Delete: a removed module takes its claim along, and the EdgeDeployment everything', async () => {
    const h = await Harness.start();
    try {
      await h.startAgent();
      const manifest = classicManifest();
      modulesOf(manifest).cache = CACHE;
      await h.applyEdgeDeployment(manifest, 'dev1', { dataRetention: 'Delete' });
      await eventually(async () => await h.get(RESOURCES.persistentVolumeClaim, 'cachedata'), 'the claim');
      delete modulesOf(manifest).cache;
      await h.applyEdgeDeployment(manifest, 'dev1', { dataRetention: 'Delete' });
      await eventually(async () => (await h.get(RESOURCES.persistentVolumeClaim, 'cachedata')) === undefined, 'pruned');
      await h.kube.delete(RESOURCES.edgeDeployment, NAMESPACE, 'dev1');
      await eventually(async () => (await h.names(RESOURCES.secret)).length === 0, 'no Secrets');
      await eventually(async () => (await h.names(RESOURCES.persistentVolumeClaim)).length === 0, 'no PVCs');
    } finally {
      await h.close();
    }
  });
});

describe('agent: objects it did not make', () => {
  it('are never adopted: left as they are, refused in status, and the rest applies', async () => {
    const h = await Harness.start();
    try {
      // A ConfigMap someone made under the name the hub's configuration would take, and a Deployment of a module's name.
      await h.kube.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'edgehub-config', namespace: NAMESPACE },
        data: { mine: 'keep me' },
      });
      await h.kube.create({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'filtermodule', namespace: NAMESPACE, labels: { app: 'theirs' } },
        spec: {
          selector: { matchLabels: { app: 'theirs' } },
          template: {
            metadata: { labels: { app: 'theirs' } },
            spec: { containers: [{ name: 'c', image: 'theirs:1' }] },
          },
        },
      });
      await h.startAgent();
      await h.applyEdgeDeployment(classicManifest());
      const degraded = await eventually(async () => {
        const c = await h.condition('Degraded');
        return c?.reason === 'ObjectNotOwned' ? c : undefined;
      }, 'Degraded/ObjectNotOwned');
      assert.match(degraded.message, /ConfigMap edgehub-config already exists and was not made by this EdgeDeployment/);
      assert.match(degraded.message, /Deployment filtermodule already exists/);
      await eventually(async () => await h.get(RESOURCES.deployment, 'simulatedtemperaturesensor'), 'the rest applies');
      assert.deepEqual((await h.get(RESOURCES.configMap, 'edgehub-config'))?.data, { mine: 'keep me' });
      const theirs = await h.get(RESOURCES.deployment, 'filtermodule');
      assert.equal(theirs?.metadata.labels?.['app.kubernetes.io/managed-by'], undefined);
      assert.equal(theirs?.metadata.ownerReferences, undefined);
      const writes = h.fake.requests.filter(
        (r) => r.user === 'agent' && r.method !== 'GET' && /(edgehub-config|deployments\/filtermodule)$/.test(r.path),
      );
      assert.deepEqual(writes, [], 'the agent never wrote to them');
    } finally {
      await h.close();
    }
  });
});
