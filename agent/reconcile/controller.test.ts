// The controller against the fake API server, through the real client-node: what a cluster operator sees.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RESOURCES } from '../apply/resources.js';
import { classicManifest, eventually, Harness, imageOf, modulesOf, NAMESPACE, replicasOf } from '../testing/harness.js';

describe('controller: the classic manifest end to end', () => {
  let h: Harness;
  const manifest = classicManifest();
  before(async () => {
    h = await Harness.start();
    await h.startAgent();
    await h.applyEdgeDeployment(manifest);
  });
  after(() => h.close());

  it('creates every planned object, and the device key and CA once', async () => {
    await eventually(async () => (await h.names(RESOURCES.deployment)).length === 3, 'three Deployments');
    assert.deepEqual(await h.names(RESOURCES.deployment), ['edgehub', 'filtermodule', 'simulatedtemperaturesensor']);
    // Modules without ports get a headless Service: their names resolve, on any port.
    assert.deepEqual(await h.names(RESOURCES.service), ['edgehub', 'filtermodule', 'simulatedtemperaturesensor']);
    assert.equal((await h.get(RESOURCES.service, 'filtermodule'))?.spec?.['clusterIP' as never], 'None');
    assert.deepEqual(await h.names(RESOURCES.configMap), ['edgehub-ca', 'edgehub-config']);
    assert.deepEqual(await h.names(RESOURCES.persistentVolumeClaim), ['edgehub-data']);
    await eventually(async () => (await h.names(RESOURCES.secret)).length === 6, 'six Secrets');
    assert.deepEqual(await h.names(RESOURCES.secret), [
      'edgehub-device-ca',
      'edgehub-device-key',
      'edgehub-registry-myacr',
      'edgehub-tls',
      'filtermodule-identity',
      'simulatedtemperaturesensor-identity',
    ]);
  });

  it('reports Ready with per-module status once the pods run', async () => {
    const ready = await eventually(async () => {
      const c = await h.condition('Ready');
      return c?.status === 'True' ? c : undefined;
    }, 'Ready=True');
    assert.equal(ready.reason, 'ModulesReady');
    const status = (await h.status())!;
    assert.equal(status.observedGeneration, 1);
    const modules = status.modules as { name: string; runtimeStatus: string }[];
    assert.deepEqual(
      modules.map((m) => [m.name, m.runtimeStatus]),
      [
        ['$edgeHub', 'running'],
        ['SimulatedTemperatureSensor', 'running'],
        ['filtermodule', 'running'],
      ],
    );
    assert.equal((await h.condition('Degraded'))?.status, 'False');
  });

  it('rolls a changed module: its Deployment gets the new image, observedGeneration follows', async () => {
    const settings = modulesOf(manifest).filtermodule!.settings as Record<string, unknown>;
    settings.image = 'myacr.azurecr.io/filtermodule:0.0.2-amd64';
    await h.applyEdgeDeployment(manifest);
    await eventually(
      async () => imageOf(await h.get(RESOURCES.deployment, 'filtermodule'))?.endsWith(':0.0.2-amd64'),
      'the new image',
    );
    await eventually(async () => (await h.status())?.observedGeneration === 2, 'observedGeneration 2');
  });

  it('repairs a Deployment edited by hand and one deleted by hand', async () => {
    await h.kube.replace({
      ...(await h.get(RESOURCES.deployment, 'filtermodule'))!,
      spec: { ...((await h.get(RESOURCES.deployment, 'filtermodule'))!.spec as object), replicas: 5 },
    });
    await eventually(
      async () => replicasOf(await h.get(RESOURCES.deployment, 'filtermodule')) === 1,
      'replicas back to 1',
    );
    await h.kube.delete(RESOURCES.deployment, NAMESPACE, 'simulatedtemperaturesensor');
    await eventually(
      async () => (await h.get(RESOURCES.deployment, 'simulatedtemperaturesensor')) !== undefined,
      'the Deployment back',
    );
  });

  it('stops a module by scaling it to zero and reports it stopped', async () => {
    modulesOf(manifest).SimulatedTemperatureSensor!.status = 'stopped';
    await h.applyEdgeDeployment(manifest);
    await eventually(
      async () => replicasOf(await h.get(RESOURCES.deployment, 'simulatedtemperaturesensor')) === 0,
      'zero replicas',
    );
    await eventually(async () => {
      const modules = (await h.status())?.modules as
        { name: string; runtimeStatus: string; desiredStatus: string }[] | undefined;
      const m = modules?.find((x) => x.name === 'SimulatedTemperatureSensor');
      return m?.runtimeStatus === 'stopped' && m.desiredStatus === 'stopped';
    }, 'the module reported stopped');
    assert.equal((await h.condition('Ready'))?.status, 'True');
  });

  it('reports a crashing module as Degraded', async () => {
    h.kubelet!.setState('filtermodule', { waiting: { reason: 'CrashLoopBackOff' } });
    const degraded = await eventually(async () => {
      const c = await h.condition('Degraded');
      return c?.status === 'True' ? c : undefined;
    }, 'Degraded=True');
    assert.equal(degraded.reason, 'ModuleFailed');
    assert.match(degraded.message, /filtermodule \(backoff\)/);
    h.kubelet!.setState('filtermodule', { running: { startedAt: '2024-01-01T00:00:00Z' } });
    await eventually(async () => (await h.condition('Degraded'))?.status === 'False', 'Degraded=False again');
  });

  it('prunes a removed module (Deployment, Service, identity), keeps its PVC (dataRetention: Retain), never touches an object without our labels', async () => {
    modulesOf(manifest).cache = {
      type: 'docker',
      settings: {
        image: 'example.com/cache:1',
        createOptions: '{"ExposedPorts":{"6379/tcp":{}},"HostConfig":{"Binds":["cachedata:/data"]}}',
      },
    };
    await h.applyEdgeDeployment(manifest);
    await eventually(
      async () =>
        (await h.get(RESOURCES.service, 'cache')) && (await h.get(RESOURCES.persistentVolumeClaim, 'cachedata')),
      'the cache objects',
    );
    await h.kube.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'users-own', namespace: NAMESPACE },
      data: {},
    });
    delete modulesOf(manifest).cache;
    await h.applyEdgeDeployment(manifest);
    for (const [type, name] of [
      [RESOURCES.deployment, 'cache'],
      [RESOURCES.service, 'cache'],
      [RESOURCES.serviceAccount, 'cache'],
      [RESOURCES.secret, 'cache-identity'],
    ] as const) {
      await eventually(async () => (await h.get(type, name)) === undefined, `${type.kind} ${name} pruned`);
    }
    assert.ok(await h.get(RESOURCES.persistentVolumeClaim, 'cachedata'), 'the data of a removed module is kept');
    await eventually(async () => {
      const issues = ((await h.status())?.issues ?? []) as { message: string }[];
      return issues.some((i) => /PersistentVolumeClaim cachedata is kept/.test(i.message));
    }, 'status says the claim is kept');
    assert.ok(await h.get(RESOURCES.configMap, 'users-own'), 'an unlabelled ConfigMap survives');
    assert.ok(await h.get(RESOURCES.secret, 'edgehub-device-key'), 'the device key survives pruning');
  });

  it('keeps what runs when the manifest turns invalid, and says why in status', async () => {
    const broken = structuredClone(manifest);
    modulesOf(broken).filtermodule!.status = 'sleeping';
    await h.applyEdgeDeployment(broken);
    const c = await eventually(async () => {
      const d = await h.condition('Degraded');
      return d?.reason === 'InvalidManifest' ? d : undefined;
    }, 'Degraded InvalidManifest');
    assert.match(c.message, /modules\.filtermodule\.status: must be one of running, stopped/);
    const issues = (await h.status())?.issues as { path: string }[];
    assert.ok(issues.some((i) => i.path.endsWith('filtermodule.status')));
    assert.ok(await h.get(RESOURCES.deployment, 'filtermodule'), 'nothing pruned');
    await h.applyEdgeDeployment(manifest);
    await eventually(async () => (await h.condition('Ready'))?.status === 'True', 'Ready again');
  });

  it('refuses a second EdgeDeployment in the same namespace', async () => {
    await h.applyEdgeDeployment(manifest, 'dev2');
    const c = await eventually(async () => {
      const d = await h.condition('Degraded', 'dev2');
      return d?.reason === 'DuplicateEdgeDeployment' ? d : undefined;
    }, 'the duplicate refused');
    assert.match(c.message, /dev1 already runs the device/);
    await h.kube.delete(RESOURCES.edgeDeployment, NAMESPACE, 'dev2');
  });

  it('lets garbage collection remove everything but the data when the EdgeDeployment is deleted', async () => {
    await h.kube.delete(RESOURCES.edgeDeployment, NAMESPACE, 'dev1');
    // A reconcile already running when the EdgeDeployment went may still write; the collector removes that too.
    await eventually(async () => (await h.names(RESOURCES.deployment)).length === 0, 'no Deployments');
    await eventually(
      async () => (await h.names(RESOURCES.secret)).join() === 'edgehub-device-ca,edgehub-device-key',
      'only the device key and CA Secrets',
    );
    assert.deepEqual(await h.names(RESOURCES.persistentVolumeClaim), ['cachedata', 'edgehub-data']);
    await eventually(
      async () => (await h.names(RESOURCES.configMap)).join() === 'users-own',
      'only the user ConfigMap',
    );
  });
});

describe('controller: conflicts', () => {
  it('retries a write that hits 409 Conflict until it lands', async () => {
    const h = await Harness.start({ kubelet: false });
    try {
      h.fake.fail({ method: 'PATCH', path: /deployments\/filtermodule$/, status: 409, times: 6 });
      await h.startAgent();
      await h.applyEdgeDeployment(classicManifest());
      await eventually(
        async () => await h.get(RESOURCES.deployment, 'filtermodule'),
        'the Deployment despite conflicts',
      );
      const conflicts = h.fake.requests.filter((r) => r.status === 409 && r.path.endsWith('/deployments/filtermodule'));
      assert.equal(conflicts.length, 6);
      const errors = await h.agents[0]!.metrics.registry.getSingleMetricAsString(
        'edgehub_agent_reconcile_errors_total',
      );
      assert.match(errors, /code="EH_AGENT_KUBE_CONFLICT"/);
    } finally {
      await h.close();
    }
  });
});
