// Watches that end, fail or go silent must never leave the controller deaf (the preview's worst bug,
// reference/kubernetes.md §6.3). Resync is slowed to a minute here, so only watch recovery can save the day.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { RESOURCES } from '../apply/resources.js';
import type { RunningAgent } from '../main.js';
import { classicManifest, eventually, Harness, imageOf, modulesOf } from '../testing/harness.js';

const NO_RESYNC = { resyncMs: 60_000 };

async function restarts(agent: RunningAgent, reason: string): Promise<number> {
  const metric = await agent.metrics.registry.getSingleMetric('edgehub_agent_watch_restarts_total')!.get();
  return metric.values.filter((v) => v.labels.reason === reason).reduce((sum, v) => sum + v.value, 0);
}

describe('controller: watch recovery', () => {
  let h: Harness;
  let agent: RunningAgent;
  const manifest = classicManifest();

  /** Changes the filter module's image and waits until its Deployment shows it. */
  async function changeAndExpect(tag: string): Promise<void> {
    (modulesOf(manifest).filtermodule!.settings as Record<string, unknown>).image =
      `myacr.azurecr.io/filtermodule:${tag}`;
    await h.applyEdgeDeployment(manifest);
    await eventually(
      async () => imageOf(await h.get(RESOURCES.deployment, 'filtermodule'))?.endsWith(`:${tag}`),
      `image ${tag}`,
    );
  }

  beforeEach(async () => {
    h = await Harness.start({ kubelet: false });
    agent = await h.startAgent('agent', NO_RESYNC);
    await h.applyEdgeDeployment(manifest);
    await eventually(async () => await h.get(RESOURCES.deployment, 'filtermodule'), 'the first reconcile');
    await eventually(() => h.fake.openWatches >= 8, 'all watches open');
    // Let the first reconciles (and the one its own status write triggers) finish.
    await eventually(async () => (await h.status())?.observedGeneration === 1, 'status written');
    await new Promise((r) => setTimeout(r, 300));
  });
  afterEach(() => h.close());

  it('re-watches when the connection drops', async () => {
    h.fake.dropWatches();
    await changeAndExpect('dropped');
  });

  it('re-lists after 410 Gone (history compacted between two watches)', async () => {
    // Objects change, then history is compacted: the next watch from an old resourceVersion gets 410.
    await h.kube.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bump', namespace: 'edge-dev1' },
      data: {},
    });
    h.fake.store.compact();
    await eventually(async () => (await restarts(agent, 'expired')) > 0, 'a restart for 410', 5_000);
    await changeAndExpect('gone');
  });

  it('backs off and recovers when watches fail with 500', async () => {
    h.fake.fail({ watch: true, status: 500, times: 12 });
    h.fake.dropWatches();
    // The eight watches share the twelve failures in whatever order their backoffs run out: wait until all
    // are spent, then the controller must still see a change.
    const failed = () => h.fake.requests.filter((r) => r.verb === 'watch' && r.status === 500).length;
    await eventually(() => failed() === 12, 'every failing watch answered');
    await changeAndExpect('five-hundred');
    assert.ok((await restarts(agent, 'error')) > 0, 'restarts for errors were counted');
    assert.equal(failed(), 12);
  });

  it('cuts a watch that went silent (half-open connection) and catches up', async () => {
    h.fake.silenceWatches();
    h.fake.silenceNewWatches = true;
    const before = h.fake.requests.filter((r) => r.verb === 'list').length;
    (modulesOf(manifest).filtermodule!.settings as Record<string, unknown>).image =
      'myacr.azurecr.io/filtermodule:silent';
    await h.applyEdgeDeployment(manifest);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(
      !imageOf(await h.get(RESOURCES.deployment, 'filtermodule'))?.endsWith(':silent'),
      'not seen while silent',
    );
    await eventually(
      async () => imageOf(await h.get(RESOURCES.deployment, 'filtermodule'))?.endsWith(':silent'),
      'caught up',
    );
    assert.ok((await restarts(agent, 'stalled')) > 0, 'a stall was detected');
    assert.ok(h.fake.requests.filter((r) => r.verb === 'list').length > before, 're-listed');
  });
});
