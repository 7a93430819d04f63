import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaseResult, RunRecord, SuiteResult } from './outcomes.js';
import { reproduce } from './reproduce.js';

const run = (rep: number, delivered: number): RunRecord => ({
  rep,
  order: 0,
  values: { delivered, otherCpu: 0 },
  notes: [],
});

function suite(hub: number[], mosquitto: number[]): SuiteResult {
  const c: CaseResult = {
    label: '200 B',
    brokers: ['edgehub', 'mosquitto'],
    runs: { edgehub: hub.map((v, i) => run(i, v)), mosquitto: mosquitto.map((v, i) => run(i, v)) },
  };
  return {
    startedAt: '',
    finishedAt: '',
    durationSec: 0,
    machine: {} as SuiteResult['machine'],
    settings: { repetitions: hub.length, maxOtherLoad: 0.25 } as SuiteResult['settings'],
    missing: {},
    hubProblems: [],
    scenarios: [{ number: 1, name: 'route', title: '', primary: 'delivered', metrics: [], cases: [c] }],
  };
}

describe('reproduce', () => {
  it('holds a new median against the published min–max, per broker and per paired ratio', () => {
    const published = suite([30, 32, 36], [15, 16, 18]); // ratios 2.0, 2.0, 2.0
    const now = suite([31, 33, 40], [20, 22, 20]); // hub median 33 within 30–36; mosquitto 20 above 15–18
    const rows = reproduce(published, now);
    const by = (figure: string) => rows.find((r) => r.figure === figure);
    assert.equal(by('edgehub')?.within, true);
    assert.equal(by('edgehub')?.now.median, 33);
    assert.equal(by('mosquitto')?.within, false);
    assert.equal(by('edgehub/mosquitto')?.within, false); // ratios 1.55, 1.5, 2.0 → median 1.55 < 2.0
    assert.equal(rows.length, 3);
  });

  it('compares only what both runs measured', () => {
    const published = suite([30, 32, 36], [15, 16, 18]);
    const now = suite([31, 33, 40], [15, 16, 18]);
    now.scenarios[0]!.cases[0]!.runs.mosquitto = [];
    const rows = reproduce(published, now);
    assert.deepEqual(
      rows.map((r) => r.figure),
      ['edgehub'],
    );
  });
});
