// Kubernetes Events on the EdgeDeployment: one per transition (applied, refused, failed, recovered), none
// for a resync that finds nothing new.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EdgeDeploymentStatus } from '../crd/types.js';
import { resourceOfKind } from '../testing/fake-resources.js';
import { classicManifest, eventually, Harness, modulesOf, NAMESPACE } from '../testing/harness.js';
import { eventFor } from './events.js';

const status = (generation: number, degraded?: { reason: string; message: string }): EdgeDeploymentStatus => ({
  observedGeneration: generation,
  modules: [{ name: '$edgeHub', desiredStatus: 'running', runtimeStatus: 'running' }],
  conditions: [
    {
      type: 'Degraded',
      status: degraded ? 'True' : 'False',
      reason: degraded?.reason ?? 'AsExpected',
      message: degraded?.message ?? '',
      lastTransitionTime: '2024-01-01T00:00:00Z',
    },
  ],
});

describe('eventFor', () => {
  it('records a generation applied, each new problem, and recovery; nothing for the same state again', () => {
    const bad = { reason: 'ImmutableFieldChanged', message: 'PersistentVolumeClaim x keeps its data' };
    assert.deepEqual(eventFor(undefined, status(1), true)?.reason, 'Applied');
    assert.equal(eventFor(status(1), status(1), true), undefined);
    assert.deepEqual(eventFor(status(1), status(2, bad), true), { type: 'Warning', ...bad });
    assert.equal(eventFor(status(2, bad), status(2, bad), true), undefined);
    assert.equal(eventFor(status(2, bad), status(2, { ...bad, message: 'other' }), true)?.message, 'other');
    assert.equal(eventFor(status(2, bad), status(2), true)?.reason, 'Recovered');
    assert.equal(eventFor(status(2, bad), status(2), false), undefined);
  });
});

describe('agent: Kubernetes Events', () => {
  it('Normal/Applied per generation, Warning for an invalid manifest and a refused change, one each', async () => {
    const h = await Harness.start();
    try {
      await h.startAgent();
      const manifest = classicManifest();
      await h.applyEdgeDeployment(manifest);
      await eventually(async () => (await h.events()).length === 1, 'one event');
      assert.match((await h.events())[0]!, /^Normal\/Applied: generation 1 applied: the hub and 2 module\(s\)$/);

      const broken = structuredClone(manifest);
      modulesOf(broken).filtermodule!.status = 'sleeping';
      await h.applyEdgeDeployment(broken);
      await eventually(async () => (await h.events()).some((e) => e.startsWith('Warning/InvalidManifest')), 'warning');
      assert.match((await h.events()).at(-1)!, /Warning\/InvalidManifest: .*filtermodule\.status: must be one of/);

      modulesOf(manifest).cache = {
        type: 'docker',
        settings: { image: 'example.com/cache:1', createOptions: '{"HostConfig":{"Binds":["cachedata:/data"]}}' },
      };
      await h.applyEdgeDeployment(manifest);
      await eventually(async () => (await h.events()).at(-1)?.includes('generation 3 applied'), 'generation 3');
      await h.applyEdgeDeployment(manifest, 'dev1', { modules: { volumeClaims: { size: '9Gi' } } });
      await eventually(
        async () =>
          (await h.events()).at(-1)?.startsWith('Warning/ImmutableFieldChanged: PersistentVolumeClaim cachedata'),
        'the refusal as an Event',
      );
      // Resyncs (every second here) find the same state: no more events.
      const count = (await h.events()).length;
      await new Promise((r) => setTimeout(r, 2_500));
      assert.equal((await h.events()).length, count, (await h.events()).join('\n'));
    } finally {
      await h.close();
    }
  });

  it('Warning/ApplyFailed when the API server refuses the agent, as the Event a cluster operator looks for', async () => {
    const h = await Harness.start({ kubelet: false });
    try {
      h.fake.fail({ method: 'PATCH', path: /deployments\/filtermodule$/, status: 500, times: 1000 });
      await h.startAgent();
      await h.applyEdgeDeployment(classicManifest());
      await eventually(async () => (await h.events()).some((e) => e.startsWith('Warning/ApplyFailed')), 'ApplyFailed');
      assert.match(
        (await h.events()).find((e) => e.startsWith('Warning/ApplyFailed'))!,
        /apply Deployment filtermodule/,
      );
    } finally {
      await h.close();
    }
  });

  it('a module whose pod is never created is failed in status, with the reason, and Degraded says so', async () => {
    const h = await Harness.start({ kubelet: false });
    try {
      await h.startAgent();
      await h.applyEdgeDeployment(classicManifest());
      const deployments = resourceOfKind('apps/v1', 'Deployment')!;
      const d = await eventually(() => h.fake.store.get(deployments, NAMESPACE, 'filtermodule'), 'the Deployment');
      // What the Deployment controller writes when the ReplicaSet cannot make a pod.
      h.fake.store.replace(
        deployments,
        NAMESPACE,
        'filtermodule',
        {
          ...d,
          status: {
            conditions: [
              { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota: pods' },
            ],
          },
        },
        { status: true },
      );
      const degraded = await eventually(async () => {
        const c = await h.condition('Degraded');
        return c?.reason === 'ModuleFailed' ? c : undefined;
      }, 'Degraded/ModuleFailed');
      assert.match(degraded.message, /filtermodule \(failed\)/);
      const modules = (await h.status())!.modules as { name: string; statusDescription: string }[];
      assert.match(
        modules.find((m) => m.name === 'filtermodule')!.statusDescription,
        /Pod not created: FailedCreate: exceeded quota: pods/,
      );
      await eventually(async () => (await h.events()).some((e) => e.startsWith('Warning/ModuleFailed')), 'the Event');
    } finally {
      await h.close();
    }
  });
});
