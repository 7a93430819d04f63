// /healthz, /readyz and /metrics of a running agent, against the fake API server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { classicManifest, eventually, Harness } from './testing/harness.js';
import type { RunningAgent } from './main.js';

describe('agent health and metrics endpoint', () => {
  let h: Harness;
  let agent: RunningAgent;
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${agent.healthPort}${path}`);
    return { status: res.status, body: await res.text() };
  };
  before(async () => {
    h = await Harness.start({ kubelet: false });
    agent = await h.startAgent('agent', { metricsPort: 0, metricsHost: '127.0.0.1' });
  });
  after(() => h.close());

  it('answers /healthz, and /readyz once the watches have synced', async () => {
    assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok\n' });
    await eventually(async () => (await get('/readyz')).status === 200, 'ready');
    assert.equal((await get('/nope')).status, 404);
  });

  it('exposes reconcile and apply metrics in Prometheus text', async () => {
    await h.applyEdgeDeployment(classicManifest());
    const text = await eventually(async () => {
      const m = await get('/metrics');
      return /edgehub_agent_reconciles_total\{result="applied"\} [1-9]/.test(m.body) ? m.body : undefined;
    }, 'a counted reconcile');
    assert.match(text, /edgehub_agent_objects_applied_total\{kind="Deployment"\} [1-9]/);
    assert.match(text, /edgehub_agent_reconcile_duration_seconds_bucket/);
    assert.match(text, /# HELP edgehub_agent_watch_restarts_total/);
  });
});
