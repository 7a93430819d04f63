import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_PRIORITY,
  MAX_MEMOISED_SOURCES,
  RouteTable,
  type EndpointMatch,
  type RouteSpec,
  type RoutableMessage,
} from './index.js';

function table(specs: RouteSpec[]): RouteTable {
  const r = RouteTable.build(specs);
  assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.message).join('\n'));
  return r.table;
}

/** A module message whose body counts how often the router reads it. */
function counted(moduleId: string | undefined, props: Record<string, string> = {}, output?: string) {
  const state = { reads: 0 };
  const bytes = new TextEncoder().encode(JSON.stringify({ temperature: 35, level: 'high' }));
  const systemProperties: Record<string, string> = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    connectionDeviceId: 'edge1',
  };
  if (moduleId !== undefined) systemProperties.connectionModuleId = moduleId;
  if (output !== undefined) systemProperties.outputName = output;
  const message: RoutableMessage = {
    properties: props,
    systemProperties,
    get body() {
      state.reads++;
      return bytes;
    },
  };
  return { message, state };
}

function summary(matches: readonly EndpointMatch[]): [string, number, number | undefined, string][] {
  return matches.map((m) => [m.endpointId, m.priority, m.timeToLiveSecs, m.routeName]);
}

describe('RouteTable: priority and TTL (reference §1.4, §3.2)', () => {
  const t = table([
    { name: 'slow', route: 'FROM /messages/* INTO $upstream', timeToLiveSecs: 3600 },
    { name: 'fast', route: "FROM /messages/* WHERE alert = 'true' INTO $upstream", priority: 0, timeToLiveSecs: 60 },
    {
      name: 'also-fast',
      route: "FROM /messages/* WHERE alert = 'true' INTO $upstream",
      priority: 0,
      timeToLiveSecs: 5,
    },
    {
      name: 'filter',
      route: 'FROM /messages/* INTO BrokeredEndpoint("/modules/Filter/inputs/in1")',
      priority: 3,
      timeToLiveSecs: 0,
    },
  ]);

  it('gives one match per endpoint: the lowest priority number, with that route’s TTL', () => {
    const { message } = counted('sensor', { alert: 'true' });
    assert.deepEqual(summary(t.evaluate(message)), [
      ['$upstream', 0, 60, 'fast'],
      ['Filter/in1', 3, undefined, 'filter'],
    ]);
  });
  it('falls back to the next route of an endpoint when the better one does not match', () => {
    const { message } = counted('sensor', { alert: 'false' });
    // Best priority first.
    assert.deepEqual(summary(t.evaluate(message)), [
      ['Filter/in1', 3, undefined, 'filter'],
      ['$upstream', DEFAULT_PRIORITY, 3600, 'slow'],
    ]);
  });
  it('breaks a tie by the order of the routes', () => {
    const { message } = counted(undefined, { alert: 'true' });
    assert.equal(t.evaluate(message)[0]!.routeName, 'fast');
  });
  it('returns the same immutable match objects, into the array given, cleared first', () => {
    const out: EndpointMatch[] = [{ endpointId: 'stale' } as EndpointMatch];
    const { message } = counted('sensor', { alert: 'true' });
    const a = t.evaluate(message, out);
    assert.equal(a, out);
    assert.equal(a.length, 2);
    const first = a[0];
    const b = t.evaluate(message, out);
    assert.equal(b[0], first);
    assert.ok(Object.isFrozen(first));
  });
  it('lists every endpoint once, in route order, keeping module ids as written', () => {
    assert.deepEqual(t.endpoints, [
      { endpointId: '$upstream', sink: { kind: 'upstream' } },
      { endpointId: 'Filter/in1', sink: { kind: 'module', moduleId: 'Filter', input: 'in1' } },
    ]);
  });
  it('has an empty table that routes nothing', () => {
    assert.deepEqual(RouteTable.empty.evaluate(counted('m').message), []);
    assert.deepEqual(RouteTable.empty.endpoints, []);
  });
});

describe('RouteTable: index by source', () => {
  const t = table([
    { name: 'other', route: 'FROM /messages/modules/other/* WHERE $body.temperature > 0 INTO $upstream' },
    {
      name: 'leaf',
      route: 'FROM /messages/* WHERE NOT is_defined($connectionModuleId) AND $body.level = "high" INTO $upstream',
    },
    {
      name: 'filter',
      route:
        'FROM /messages/modules/FILTER/outputs/alerts WHERE level = \'x\' INTO BrokeredEndpoint("/modules/b/inputs/i")',
    },
    { name: 'twin', route: 'FROM /twinChangeNotifications INTO BrokeredEndpoint("/modules/t/inputs/twin")' },
  ]);

  it('never evaluates a route whose source cannot match (its $body would be read otherwise)', () => {
    const { message, state } = counted('filter', { level: 'x' }, 'alerts');
    assert.deepEqual(summary(t.evaluate(message)), [['b/i', DEFAULT_PRIORITY, undefined, 'filter']]);
    assert.equal(state.reads, 0);
  });
  it('reads the body of a candidate that queries it, once', () => {
    const { message, state } = counted('other');
    assert.deepEqual(
      t.evaluate(message).map((m) => m.routeName),
      ['other'],
    );
    assert.equal(state.reads, 1);
  });
  it('does not read the body when AND is already false on its left', () => {
    const { message, state } = counted('someModule');
    assert.deepEqual(t.evaluate(message), []);
    assert.equal(state.reads, 0);
  });
  it('sends twin change notifications only to /* and /twinChangeNotifications routes', () => {
    const message: RoutableMessage = {
      properties: {},
      systemProperties: { messageType: 'twinChangeNotification', connectionModuleId: '$edgeHub' },
      body: new Uint8Array(0),
    };
    assert.deepEqual(
      t.evaluate(message).map((m) => m.routeName),
      ['twin'],
    );
  });
  it('compiles one evaluator per distinct set of candidate routes, not per output name', () => {
    for (let i = 0; i < 100; i++) t.evaluate(counted('filter', {}, `o${i}`).message);
    const evaluators = (t as unknown as { evaluators: Map<string, unknown> }).evaluators;
    assert.ok(evaluators.size <= 4, `${evaluators.size} evaluators`);
  });
  it('bounds the memo of (module, output) candidate lists, and stays right after starting over', () => {
    for (let i = 0; i < MAX_MEMOISED_SOURCES + 10; i++)
      t.evaluate(counted('filter', { level: 'x' }, `out${i}`).message);
    const memo = (t as unknown as { modules: Map<string, { byOutput: Map<string, unknown> }> }).modules;
    const size = [...memo.values()].reduce((n, m) => n + 1 + m.byOutput.size, 0);
    assert.ok(size <= MAX_MEMOISED_SOURCES, `memoised ${size}`);
    assert.equal(t.evaluate(counted('filter', { level: 'x' }, 'ALERTS').message).length, 1);
  });
});

describe('RouteTable: one body parse per message across routes', () => {
  const t = table([
    { name: 'a', route: 'FROM /messages/* WHERE $body.temperature > 30 INTO BrokeredEndpoint("/modules/a/inputs/i")' },
    { name: 'b', route: 'FROM /messages/* WHERE $body.level = \'high\' INTO BrokeredEndpoint("/modules/b/inputs/i")' },
    {
      name: 'c',
      route: 'FROM /messages/* WHERE is_defined($body.nothing) INTO BrokeredEndpoint("/modules/c/inputs/i")',
    },
  ]);
  it('parses at most once however many routes query it', () => {
    const { message, state } = counted('m');
    assert.equal(t.evaluate(message).length, 3);
    assert.equal(state.reads, 1);
  });
  it('parses again for the next message', () => {
    const first = counted('m');
    const second = counted('m');
    t.evaluate(first.message);
    t.evaluate(second.message);
    assert.deepEqual([first.state.reads, second.state.reads], [1, 1]);
  });
  it('does not parse when no candidate reads $body', () => {
    const props = table([
      { name: 'p', route: "FROM /messages/* WHERE level = 'high' INTO $upstream" },
      { name: 'q', route: 'FROM /messages/modules/x/* WHERE $body.level = "high" INTO $upstream' },
    ]);
    const { message, state } = counted('m', { level: 'high' });
    assert.equal(props.evaluate(message).length, 1);
    assert.equal(state.reads, 0);
    assert.deepEqual(
      props.routes.map((r) => r.readsBody),
      [false, true],
    );
  });
});

describe('RouteTable.build', () => {
  it('returns every error, strict by default', () => {
    const r = RouteTable.build([
      { name: 'ok', route: 'FROM /* INTO $upstream' },
      { name: 'type', route: 'FROM /* WHERE t > 1 INTO $upstream' },
      { name: 'never', route: 'FROM /messages/events INTO $upstream' },
    ]);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.errors.map((e) => [e.routeName, e.code]),
      [
        ['type', 'EH_ROUTE_TYPE'],
        ['never', 'EH_ROUTE_SOURCE'],
      ],
    );
  });
  it('in reference mode builds what the reference accepts, and lists the warnings', () => {
    const r = RouteTable.build([{ name: 'never', route: 'FROM /messages/events INTO $upstream' }], { strict: false });
    assert.ok(r.ok);
    assert.deepEqual(
      r.table.warnings.map((w) => [w.routeName, w.code, w.severity]),
      [['never', 'EH_ROUTE_SOURCE', 'warning']],
    );
  });
  it('throws for a priority or TTL no manifest can hold (a caller bug)', () => {
    assert.throws(() => RouteTable.build([{ name: 'p', route: 'FROM /* INTO $upstream', priority: -1 }]), RangeError);
    assert.throws(
      () => RouteTable.build([{ name: 't', route: 'FROM /* INTO $upstream', timeToLiveSecs: 1.5 }]),
      RangeError,
    );
  });
  it('evaluates the same with the interpreter', () => {
    const specs = [
      { name: 'a', route: "FROM /messages/* WHERE $body.level = 'high' AND as_number(n) >= 2 INTO $upstream" },
    ];
    const compiled = RouteTable.build(specs);
    const interpreted = RouteTable.build(specs, { interpreted: true });
    assert.ok(compiled.ok && interpreted.ok);
    for (const n of ['1', '2', 'x']) {
      const m = counted('m', { n }).message;
      assert.deepEqual(summary(interpreted.table.evaluate(m)), summary(compiled.table.evaluate(m)), n);
    }
  });
});
