// Two agent replicas with leader election: exactly one reconciles; when it stops, the other takes over.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kube } from '../apply/kube.js';
import { RESOURCES } from '../apply/resources.js';
import { silentLogger } from '../log.js';
import { AgentMetrics } from '../metrics.js';
import { LeaderElector } from './leader.js';
import { classicManifest, eventually, Harness, imageOf, LEASE_NAMESPACE, modulesOf } from '../testing/harness.js';

const election = (identity: string) => ({
  leaderElection: {
    namespace: LEASE_NAMESPACE,
    identity,
    leaseDurationSeconds: 2,
    renewDeadlineMs: 1_500,
    retryPeriodMs: 100,
  },
});

/** Requests that change something other than the lease, by user. */
function writers(h: Harness): Set<string | undefined> {
  return new Set(
    h.fake.requests
      .filter(
        (r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.resource !== 'leases' && r.user !== 'tester',
      )
      .map((r) => r.user),
  );
}

describe('leader election', () => {
  let h: Harness;
  const manifest = classicManifest();
  before(async () => {
    h = await Harness.start({ kubelet: false });
    await h.startAgent('agent-a', election('agent-a'));
    await h.startAgent('agent-b', election('agent-b'));
  });
  after(() => h.close());

  it('lets exactly one replica act', async () => {
    await eventually(() => h.agents.some((a) => a.isActive()), 'a leader');
    await h.applyEdgeDeployment(manifest);
    await eventually(async () => await h.get(RESOURCES.deployment, 'filtermodule'), 'the first reconcile');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(h.agents.filter((a) => a.isActive()).length, 1);
    const leader = h.agents[0]!.isActive() ? 'agent-a' : 'agent-b';
    assert.deepEqual([...writers(h)], [leader]);
    const lease = await h.get(RESOURCES.lease, 'edgehub-agent', LEASE_NAMESPACE);
    assert.equal((lease?.spec as { holderIdentity?: string }).holderIdentity, leader);
    assert.equal(
      await h.agents[0]!.metrics.registry.getSingleMetricAsString('edgehub_agent_leader').then(
        (t) => /edgehub_agent_leader (\d)/.exec(t)?.[1],
      ),
      leader === 'agent-a' ? '1' : '0',
    );
  });

  it('hands over when the leader stops, and the new leader reconciles', async () => {
    const leaderIndex = h.agents.findIndex((a) => a.isActive());
    const follower = h.agents[1 - leaderIndex]!;
    await h.agents[leaderIndex]!.stop();
    await eventually(() => follower.isActive(), 'the follower to lead', 5_000);
    (modulesOf(manifest).filtermodule!.settings as Record<string, unknown>).image =
      'myacr.azurecr.io/filtermodule:after-failover';
    await h.applyEdgeDeployment(manifest);
    await eventually(
      async () => imageOf(await h.get(RESOURCES.deployment, 'filtermodule'))?.endsWith(':after-failover'),
      'the change applied',
    );
  });
});

describe('leader election: a leader that dies without releasing', () => {
  it('is replaced once its lease expires, not before', async () => {
    const h = await Harness.start({ kubelet: false });
    const elector = (identity: string) =>
      new LeaderElector({
        kube: new Kube(h.fake.kubeConfig(identity), 'edgehub-agent'),
        namespace: LEASE_NAMESPACE,
        name: 'test-lease',
        identity,
        leaseDurationSeconds: 1,
        renewDeadlineMs: 700,
        retryPeriodMs: 50,
        log: silentLogger(),
        metrics: new AgentMetrics(),
      });
    const a = elector('a');
    const b = elector('b');
    try {
      a.start(
        () => undefined,
        () => undefined,
      );
      await eventually(() => a.isLeader, 'a to lead');
      b.start(
        () => undefined,
        () => undefined,
      );
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(b.isLeader, false, 'b waits while a renews');
      await a.halt(); // a "crashes": it stops renewing and never releases
      const haltedAt = Date.now();
      await eventually(() => b.isLeader, 'b to take over', 5_000);
      assert.ok(Date.now() - haltedAt >= 700, 'not before the lease could expire');
    } finally {
      await a.stop();
      await b.stop();
      await h.close();
    }
  });
});
