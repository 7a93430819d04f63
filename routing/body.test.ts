import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EvalContext } from './context.js';
import { decodeBody, looksLikeDate, parseBodyPath, queryBody } from './body.js';
import type { RoutableMessage } from './message.js';
import { encodeText } from './vector-case.js';
import { MISSING, type QValue } from './values.js';

function message(text: string, contentType = 'application/json', contentEncoding = 'utf-8'): RoutableMessage {
  return {
    properties: {},
    systemProperties: { contentType, contentEncoding },
    body: encodeText(text, contentEncoding),
  };
}
function query(m: RoutableMessage, path: string): QValue {
  const p = parseBodyPath(path);
  assert.ok(p.ok, p.ok ? '' : p.detail);
  const c = new EvalContext();
  c.reset(m);
  return queryBody(c, p.path);
}

describe('parseBodyPath', () => {
  const valid: readonly [string, unknown][] = [
    ['a', [{ name: 'a' }]],
    ['a.b[0].c', [{ name: 'a' }, { name: 'b', index: 0 }, { name: 'c' }]],
    ['Welcome!.he', [{ name: 'Welcome!' }, { name: 'he' }]],
    ['*', [{ name: '*' }]],
  ];
  for (const [text, steps] of valid)
    it(`${text} is valid`, () => assert.deepEqual(parseBodyPath(text), { ok: true, path: { text, steps } }));
  const invalid: readonly [string, string][] = [
    ['', '$body needs a path after the dot, as in $body.temperature'],
    ['a..b', "invalid $body path 'a..b': an empty name (two dots, or a dot at the end)"],
    ['a.', "invalid $body path 'a.': an empty name (two dots, or a dot at the end)"],
    [
      'x[]',
      "invalid $body path 'x[]': 'x[]': an index is a whole number in brackets, as in values[0] (no slices, no names)",
    ],
    [
      'x[a]',
      "invalid $body path 'x[a]': 'x[a]': an index is a whole number in brackets, as in values[0] (no slices, no names)",
    ],
    ['x[0][1]', "invalid $body path 'x[0][1]': 'x[0][1]': a name may be followed by one [index] only"],
    ['[0]', "invalid $body path '[0]': '[0]': a name may be followed by one [index] only"],
  ];
  for (const [text, detail] of invalid)
    it(`${text || '(empty)'} is refused`, () => assert.deepEqual(parseBodyPath(text), { ok: false, detail }));
});

describe('queryBody', () => {
  const doc = JSON.stringify({
    n: 1.5,
    s: 'x',
    b: false,
    z: null,
    o: { p: [10, { q: 'deep' }] },
    when: '2017-03-09T00:00:00.000Z',
    one: { only: 7 },
  });
  const results: readonly [string, QValue][] = [
    ['n', 1.5],
    ['s', 'x'],
    ['b', false],
    ['z', null],
    ['missing', MISSING],
    ['o.p[0]', 10],
    ['o.p[1].q', 'deep'],
    ['o.p[2]', MISSING],
    ['s.length', MISSING], // a string has no properties
    ['o.p.q', MISSING], // nor has an array
    ['n[0]', MISSING],
    ['o', undefined], // objects and arrays are not queryable
    ['o.p', undefined],
    ['when', undefined], // the reference's parser reads ISO-8601 strings as dates
    ['constructor', MISSING], // never a member of Object.prototype
    ['__proto__', MISSING],
    ['one.*', 7], // one match of a wildcard is a value
    ['*', undefined], // several are not
  ];
  for (const [path, expected] of results)
    it(`$body.${path} → ${String(expected)}`, () => assert.equal(query(message(doc), path), expected));

  it('decodes utf-16 and utf-32 little endian, any case of the encoding name', () => {
    for (const enc of ['UTF-16', 'utf-32', 'Utf-8'])
      assert.equal(query(message('{"a":"é😀"}', 'application/json', enc), 'a'), 'é😀');
  });
  it('is undefined without the JSON content type (parameters are not accepted) or a known encoding', () => {
    assert.equal(query(message('{"a":1}', 'APPLICATION/JSON'), 'a'), 1);
    assert.equal(query(message('{"a":1}', 'application/json; charset=utf-8'), 'a'), undefined);
    assert.equal(query(message('{"a":1}', 'text/plain'), 'a'), undefined);
    assert.equal(query(message('{"a":1}', 'application/json', 'latin1'), 'a'), undefined);
    assert.equal(
      query(
        { properties: {}, systemProperties: { contentType: 'application/json' }, body: encodeText('{"a":1}', 'utf-8') },
        'a',
      ),
      undefined,
    );
  });
  it('finds the content type and encoding whatever the case of their keys', () => {
    const m = {
      properties: {},
      systemProperties: { ContentType: 'application/json', CONTENTENCODING: 'utf-8' },
      body: encodeText('{"a":1}', 'utf-8'),
    };
    assert.equal(query(m, 'a'), 1);
  });
  it('is undefined for invalid JSON and for a body that is not an object', () => {
    for (const text of ['{"a":', '[{"a":1}]', '1', 'null', '"s"', ''])
      assert.equal(query(message(text), 'a'), undefined, text);
  });
  it('parses once per context, and only when queried', () => {
    let reads = 0;
    const bytes = encodeText('{"a":1,"b":2}', 'utf-8');
    const m: RoutableMessage = {
      properties: {},
      systemProperties: { contentType: 'application/json', contentEncoding: 'utf-8' },
      get body() {
        reads++;
        return bytes;
      },
    };
    const c = new EvalContext();
    c.reset(m);
    assert.equal(reads, 0);
    const a = parseBodyPath('a');
    const b = parseBodyPath('b');
    assert.ok(a.ok && b.ok);
    assert.equal(queryBody(c, a.path), 1);
    assert.equal(queryBody(c, b.path), 2);
    assert.equal(reads, 1);
  });
});

describe('decodeBody', () => {
  it('replaces bytes that are no code point, and knows only three encodings', () => {
    assert.equal(decodeBody(new Uint8Array([0x41, 0, 0, 0, 0, 0, 0x11, 0, 1]), 'utf-32'), 'A\ufffd\ufffd');
    assert.equal(decodeBody(new Uint8Array([0x41]), 'ascii'), undefined);
  });
});

describe('looksLikeDate (Newtonsoft DateParseHandling.DateTime)', () => {
  const cases: readonly [string, boolean][] = [
    ['2017-03-09T00:00:00.000Z', true],
    ['2017-03-09T00:00:00', true],
    ['2017-03-09T23:59:59.1234567+01:00', true],
    ['2017-03-09T00:00:00-0800', true],
    ['2016-02-29T00:00:00Z', true],
    ['2017-02-29T00:00:00Z', false],
    ['2017-13-09T00:00:00Z', false],
    ['2017-03-09 00:00:00Z', false],
    ['2017-03-09', false],
    ['/Date(1489017600000)/', true],
    ['/Date(1489017600000+0100)/', true],
    ['/Date(x)/', false],
    ['hello', false],
  ];
  for (const [s, expected] of cases) it(`${s}: ${expected}`, () => assert.equal(looksLikeDate(s), expected));
});
