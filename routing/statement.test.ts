import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRoute, endpointIdOf, type RoutableMessage, type Sink } from './index.js';
import { normaliseSource, parseRoute } from './statement.js';

function from(moduleId?: string, outputName?: string, messageType?: string): RoutableMessage {
  const systemProperties: Record<string, string> = { connectionDeviceId: 'edge1' };
  if (moduleId !== undefined) systemProperties.connectionModuleId = moduleId;
  if (outputName !== undefined) systemProperties.outputName = outputName;
  if (messageType !== undefined) systemProperties.messageType = messageType;
  return { properties: {}, systemProperties, body: new Uint8Array(0) };
}
const leaf = from();
const filter = from('filter');
const filterOut1 = from('filter', 'output1');
const twin = from('$edgeHub', undefined, 'twinChangeNotification');

describe('sources (reference §1.2)', () => {
  const normalised: readonly [string, string][] = [
    ['/*', '/'],
    ['/', '/'],
    ['/messages', '/messages/'],
    ['/messages/*', '/messages/'],
    ['/messages/modules/m/outputs/out*', '/messages/modules/m/outputs/out/'],
    ['/messages/**', '/messages/'],
  ];
  for (const [text, prefix] of normalised)
    it(`${text} normalises to ${prefix}`, () => assert.equal(normaliseSource(text), prefix));

  // [source, message, matches]
  const matching: readonly [string, RoutableMessage, boolean][] = [
    ['/*', leaf, true],
    ['/*', filterOut1, true],
    ['/*', twin, true],
    ['/messages', leaf, true],
    ['/messages/*', filter, true],
    ['/messages/*', twin, false],
    ['/messages/modules/*', leaf, false],
    ['/messages/modules', filterOut1, true],
    ['/messages/modules/filter/*', filter, true],
    ['/messages/modules/filter/*', filterOut1, true],
    ['/messages/modules/FILTER', filterOut1, true],
    ['/messages/modules/filter/*', from('filterX'), false],
    ['/messages/modules/filter/outputs/*', filter, false],
    ['/messages/modules/filter/outputs/*', filterOut1, true],
    ['/messages/modules/filter/outputs/Output1', filterOut1, true],
    ['/messages/modules/filter/outputs/output1', from('filter', 'output10'), false],
    // Prefix matching, as the reference: an output name with a slash is matched by its first part.
    ['/messages/modules/filter/outputs/a', from('filter', 'a/b'), true],
    ['/twinChangeNotifications', twin, true],
    ['/twinchangenotifications/*', from(undefined, undefined, 'TwinChangeNotification'), true],
    ['/twinChangeNotifications', leaf, false],
  ];
  for (const [source, message, expected] of matching) {
    const sys = message.systemProperties;
    it(`FROM ${source} ${expected ? 'takes' : 'skips'} ${sys.messageType ?? `module ${sys.connectionModuleId ?? '(leaf)'} output ${sys.outputName ?? '(none)'}`}`, () => {
      const r = compileRoute({ name: 'r', route: `FROM ${source} INTO $upstream` });
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.equal(r.route.sourceMatches(message), expected);
    });
  }

  const kinds: readonly [string, string, string?, string?][] = [
    ['/*', 'all'],
    ['/messages/*', 'messages'],
    ['/messages/modules/*', 'modules'],
    ['/messages/modules/Filter/*', 'module', 'Filter'],
    ['/messages/modules/Filter/outputs/*', 'outputs', 'Filter'],
    ['/messages/modules/Filter/outputs/Out1', 'output', 'Filter', 'Out1'],
    ['/twinChangeNotifications', 'twin'],
    ['/messages/modules/1/outputs/2', 'output', '1', '2'],
  ];
  for (const [source, kind, moduleId, outputName] of kinds) {
    it(`${source} is a source of kind ${kind}`, () => {
      const r = parseRoute(`FROM ${source} INTO $upstream`);
      assert.ok(r.ok);
      assert.equal(r.value.source.kind, kind);
      assert.equal(r.value.source.moduleId, moduleId);
      assert.equal(r.value.source.outputName, outputName);
      assert.deepEqual(r.value.strict, []);
    });
  }

  const neverMatch = [
    '/foo/*',
    '/messages/events',
    '/messages/modules/m/inputs/in1',
    '/*/messages/*',
    '/messages/modules/m/x',
    '/twinChangeNotifications/x',
  ];
  for (const source of neverMatch) {
    it(`${source} matches nothing: refused in strict mode`, () => {
      const strict = compileRoute({ name: 'r', route: `FROM ${source} INTO $upstream` });
      assert.ok(!strict.ok);
      assert.equal(strict.error.code, 'EH_ROUTE_SOURCE');
      assert.match(strict.error.detail, /matches no message/);
    });
  }

  it("flags '*' that is no wildcard", () => {
    for (const source of ['/messages/modules/*/outputs/x', '/messages/modules/m/outputs/out*']) {
      const r = compileRoute({ name: 'r', route: `FROM ${source} INTO $upstream` });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'EH_ROUTE_SOURCE');
    }
  });

  it('accepts numbers and keywords as module and output names (the reference refuses them)', () => {
    const r = compileRoute({ name: 'r', route: 'FROM /messages/modules/123/outputs/not INTO $upstream' });
    assert.ok(r.ok);
    assert.ok(r.route.sourceMatches(from('123', 'NOT')));
  });
});

describe('sinks (reference §1.3)', () => {
  const sinks: readonly [string, Sink, string][] = [
    ['$upstream', { kind: 'upstream' }, '$upstream'],
    ['$UPSTREAM', { kind: 'upstream' }, '$upstream'],
    [
      'BrokeredEndpoint("/modules/Alert-Logic/inputs/In1")',
      { kind: 'module', moduleId: 'Alert-Logic', input: 'In1' },
      'Alert-Logic/In1',
    ],
    ["brokeredendpoint('modules/sink/inputs/in1/')", { kind: 'module', moduleId: 'sink', input: 'in1' }, 'sink/in1'],
    ['BrokeredEndpoint(" /MODULES/m/Inputs/x ")', { kind: 'module', moduleId: 'm', input: 'x' }, 'm/x'],
  ];
  for (const [text, sink, id] of sinks) {
    it(`INTO ${text} is ${id}`, () => {
      const r = compileRoute({ name: 'r', route: `FROM /* INTO ${text}` });
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.deepEqual(r.route.sink, sink);
      assert.equal(r.route.endpointId, id);
      assert.equal(endpointIdOf(sink), id);
    });
  }

  const refused = [
    '$downstream',
    'upstream',
    'Foo("/modules/m/inputs/i")',
    'BrokeredEndpoint(/modules/m/inputs/i)',
    'BrokeredEndpoint("/modules//inputs/i")',
    'BrokeredEndpoint("/modules/m/inputs/i/x")',
    '',
  ];
  for (const text of refused) {
    it(`INTO ${text || '(nothing)'} is refused while parsing`, () => {
      const r = compileRoute({ name: 'r', route: `FROM /* INTO ${text}` });
      assert.ok(!r.ok);
      assert.equal(r.error.phase, 'parse');
    });
  }
});

describe('statement', () => {
  it('keeps the condition text exactly as written, inner spaces included', () => {
    const r = compileRoute({
      name: 'r',
      route: "  select * from /messages/*   where  a = 'x'   AND  b <> 'y'   into $upstream ",
    });
    assert.ok(r.ok);
    assert.equal(r.route.condition, "a = 'x'   AND  b <> 'y'");
    assert.equal(r.route.source.text, '/messages/*');
  });
  it('takes every message of its source without WHERE', () => {
    const r = compileRoute({ name: 'r', route: 'FROM /messages/* INTO $upstream' });
    assert.ok(r.ok);
    assert.equal(r.route.condition, undefined);
    assert.equal(r.route.predicate, undefined);
    assert.equal(r.route.test(leaf), true);
  });
  it('refuses SELECT without *', () => {
    const r = compileRoute({ name: 'r', route: 'SELECT FROM /* INTO $upstream' });
    assert.ok(!r.ok);
    assert.equal(r.error.detail, "SELECT must be followed by '*' (SELECT * FROM …), found 'FROM'");
  });
});
