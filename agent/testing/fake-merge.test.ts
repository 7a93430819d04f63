// Server-side apply in the fake merges map-lists by key, as a real API server does: what another manager
// added to a list (an env var, a sidecar) survives the agent's apply; what the agent stops applying goes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESOURCES } from '../apply/resources.js';
import { serverSideApply } from './fake-merge.js';
import { classicManifest, eventually, Harness, modulesOf } from './harness.js';

type Container = { name: string; env?: { name: string; value?: string }[] };
const containersOf = (o: unknown) =>
  (o as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec.containers;

describe('fake server-side apply: lists merge by key', () => {
  it('keeps items of other managers, removes items this manager dropped, merges inside items', () => {
    const mine = {
      spec: {
        containers: [
          {
            name: 'a',
            image: '1',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
            ],
          },
        ],
      },
    };
    // Another manager added env Z to container a, and a sidecar.
    const live = {
      spec: {
        containers: [
          {
            name: 'a',
            image: '1',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
              { name: 'Z', value: 'theirs' },
            ],
          },
          { name: 'sidecar', image: 's' },
        ],
      },
    };
    const next = { spec: { containers: [{ name: 'a', image: '2', env: [{ name: 'X', value: '9' }] }] } };
    assert.deepEqual(serverSideApply(live, next, mine), {
      spec: {
        containers: [
          {
            name: 'a',
            image: '2',
            env: [
              { name: 'X', value: '9' },
              { name: 'Z', value: 'theirs' },
            ],
          },
          { name: 'sidecar', image: 's' },
        ],
      },
    });
    // Lists without keys stay atomic.
    assert.deepEqual(serverSideApply({ args: ['a', 'b'] }, { args: ['c'] }, { args: ['a', 'b'] }), { args: ['c'] });
  });

  it('an env var another manager set on a module survives the agent; one the manifest drops is removed', async () => {
    const h = await Harness.start();
    try {
      await h.startAgent();
      const manifest = classicManifest();
      modulesOf(manifest).filtermodule!.env = { MINE: { value: '1' } };
      await h.applyEdgeDeployment(manifest);
      await eventually(async () => (await h.condition('Ready'))?.status === 'True', 'Ready');
      // What `kubectl apply --server-side` of a partial Deployment by someone else does.
      await h.kube.apply({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'filtermodule', namespace: 'edge-dev1' },
        spec: { template: { spec: { containers: [{ name: 'filtermodule', env: [{ name: 'THEIRS', value: 'x' }] }] } } },
      });
      delete modulesOf(manifest).filtermodule!.env;
      await h.applyEdgeDeployment(manifest);
      const env = await eventually(async () => {
        const names = containersOf(await h.get(RESOURCES.deployment, 'filtermodule'))[0]!.env!.map((e) => e.name);
        return names.includes('MINE') ? undefined : names;
      }, 'MINE removed');
      assert.ok(env.includes('THEIRS'), env.join());
      assert.ok(env.includes('EdgeHubConnectionString'));
    } finally {
      await h.close();
    }
  });
});
