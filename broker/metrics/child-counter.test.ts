import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ChildCounter } from './child-counter.js';

describe('ChildCounter', () => {
  it('publishes what its children counted when scraped, cumulatively, one series per used label set', async () => {
    const registry = new Registry();
    const c = new ChildCounter({ name: 'x_total', help: 'x', labelNames: ['id'], registers: [registry] });
    const a = c.child({ id: 'a' });
    const b = c.child({ id: 'b' });
    c.child({ id: 'unused' });
    a.inc();
    a.inc();
    b.inc();
    const first = (await c.counter.get()).values.map((v) => [v.labels.id, v.value]);
    assert.deepEqual(first, [
      ['a', 2],
      ['b', 1],
    ]);
    a.inc();
    assert.match(await registry.metrics(), /x_total\{id="a"\} 3\nx_total\{id="b"\} 1\n/);
  });
});
