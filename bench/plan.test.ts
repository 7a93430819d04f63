import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan } from './plan.js';
import type { Case, Scenario, Settings } from './scenarios/scenario.js';

const settings: Settings = {
  mode: 'full',
  repetitions: 3,
  warmupMs: 0,
  measureMs: 0,
  latencyMeasureMs: 0,
  window: 1,
  sizes: [200],
  latencyRate: 1,
  backlogMessages: 1,
  idleConnections: 1,
  idleConcurrency: 1,
  settleMs: 0,
  hub: 'source',
  maxOtherLoad: 0.25,
};

function scenario(name: string, cases: readonly Case[], freshBrokerPerCase = false): Scenario {
  return {
    number: 1,
    name,
    title: name,
    cases: () => cases,
    freshBrokerPerCase,
    deployment: () => {
      throw new Error('not started in this test');
    },
    primary: 'v',
    metrics: [],
    run: () => Promise.reject(new Error('not run in this test')),
  };
}

describe('bench plan', () => {
  const route = scenario('route', [{ label: '200 B' }, { label: '4 KB' }]);
  const idle = scenario('idle', [{ label: 'plain' }, { label: 'TLS', brokers: ['edgehub'] }], true);
  const { results, steps } = plan([route, idle], settings, ['edgehub', 'mosquitto', 'aedes']);
  const line = (s: (typeof steps)[number]) =>
    `${s.rep}:${s.scenario.name}:${s.kind}:${s.items.map((i) => i.c.label).join(',')}`;

  it('runs repetition k of every scenario before repetition k + 1 of any', () => {
    const reps = steps.map((s) => s.rep);
    assert.deepEqual(
      reps,
      [...reps].sort((a, b) => a - b),
      steps.map(line).join('\n'),
    );
    // Each repetition: route (3 brokers, both cases per start), idle plain (3 brokers), idle TLS (the hub only).
    assert.deepEqual(steps.slice(0, 7).map(line), [
      '0:route:edgehub:200 B,4 KB',
      '0:route:mosquitto:200 B,4 KB',
      '0:route:aedes:200 B,4 KB',
      '0:idle:edgehub:plain',
      '0:idle:mosquitto:plain',
      '0:idle:aedes:plain',
      '0:idle:edgehub:TLS',
    ]);
    assert.equal(steps.length, 3 * 7);
  });

  it('rotates the brokers of a scenario from one repetition to the next', () => {
    const order = (rep: number) =>
      steps.filter((s) => s.rep === rep && s.scenario.name === 'route').map((s) => `${s.order}:${s.kind}`);
    assert.deepEqual(order(1), ['0:mosquitto', '1:aedes', '2:edgehub']);
    assert.deepEqual(order(2), ['0:aedes', '1:edgehub', '2:mosquitto']);
  });

  it('fills one result skeleton per scenario and case, whatever the order', () => {
    assert.deepEqual(
      results.map((r) => `${r.name}:${r.cases.map((c) => `${c.label}[${c.brokers.join(',')}]`).join(',')}`),
      [
        'route:200 B[edgehub,mosquitto,aedes],4 KB[edgehub,mosquitto,aedes]',
        'idle:plain[edgehub,mosquitto,aedes],TLS[edgehub]',
      ],
    );
    const tls = results[1]!.cases[1]!;
    assert.equal(steps.filter((s) => s.items.some((i) => i.result === tls)).length, 3);
  });
});
