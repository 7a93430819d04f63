import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { predicateSource } from './compile.js';
import { compileCondition, type RoutableMessage } from './index.js';
import { parseCondition } from './parser.js';
import { typecheck } from './typecheck.js';

function source(text: string): string {
  const p = parseCondition(text);
  assert.ok(p.ok);
  const t = typecheck(p.value);
  assert.ok(t.ok);
  return predicateSource(t.ir).source;
}

describe('compilePredicate', () => {
  it('puts user text into the generated source only as JSON string literals', () => {
    const nasty = ['x"); process.exit(1); ("', '*/ }', '${1}', '`', '\\', '\u2028', "it's"];
    for (const value of nasty) {
      const text = `$p = '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      const r = compileCondition(text);
      assert.ok(r.ok, text);
      const m: RoutableMessage = { properties: { $p: value }, systemProperties: {}, body: new Uint8Array(0) };
      assert.equal(r.condition.test(m), true, text);
    }
  });

  it('compiles a property comparison to an inline check against a constant', () => {
    const src = source("level = 'high' AND as_number(n) > 3");
    assert.match(
      src,
      /\(\(t0 = P\["level"\]\), typeof t0 === "string" \|\| t0 === null \? t0 : lookupIgnoringCase\(P, "level"\)\)\), t1 == null \? undefined : t1 === "high"/,
    );
    assert.match(src, /=== false \? false : and3\(/);
  });

  it('reads no body when the left of AND is false, and the interpreter agrees on the result', () => {
    let reads = 0;
    const m: RoutableMessage = {
      properties: { level: 'low' },
      systemProperties: { contentType: 'application/json', contentEncoding: 'utf-8' },
      get body() {
        reads++;
        return new TextEncoder().encode('{"t":1}');
      },
    };
    const text = "level = 'high' AND $body.t = 1";
    const compiled = compileCondition(text);
    const interpreted = compileCondition(text, { interpreted: true });
    assert.ok(compiled.ok && interpreted.ok);
    assert.equal(compiled.condition.test(m), false);
    assert.equal(reads, 0);
    assert.equal(interpreted.condition.test(m), false);
    assert.equal(reads, 1); // the interpreter evaluates both sides, as the reference does
  });

  it('finds $name application properties in any case, and system properties when there are none', () => {
    const r = compileCondition("$SYS4 = 'value4'");
    assert.ok(r.ok);
    const m = (properties: Record<string, string>, systemProperties: Record<string, string>): RoutableMessage => ({
      properties,
      systemProperties,
      body: new Uint8Array(0),
    });
    assert.equal(r.condition.test(m({ $Sys4: 'value4' }, { sys4: 'x' })), true);
    assert.equal(r.condition.test(m({ other: 'y' }, { SYS4: 'value4' })), true);
    assert.equal(r.condition.test(m({ $other: 'y' }, { sys4: 'x' })), false);
  });

  it('computes a call written twice once per message', () => {
    assert.match(source('as_number(t) > 1 AND as_number(t) < 5'), /s0 !== UNSET \? s0 : \(s0 = numberOf/);
    const r = compileCondition('as_number(t) > 1 AND as_number(t) < 5');
    assert.ok(r.ok);
    let reads = 0;
    const m = (t: string): RoutableMessage => ({
      properties: {
        get t() {
          reads++;
          return t;
        },
      },
      systemProperties: {},
      body: new Uint8Array(0),
    });
    assert.deepEqual(
      ['0', '3', '9', 'x'].map((t) => r.condition.test(m(t))),
      [false, true, false, undefined],
    );
    assert.equal(reads, 4);
  });

  it('keeps calls apart that differ only in -0 or the sign of an infinity', () => {
    const r = compileCondition(
      'power(1e999, 3) > 0 AND power(-1e999, 3) < 0 AND power(0, -1) > 0 AND power(-0, -1) < 0',
    );
    assert.ok(r.ok);
    assert.equal(r.condition.test({ properties: {}, systemProperties: {}, body: new Uint8Array(0) }), true);
  });

  it('compiles a condition that is always true to no predicate at all', () => {
    const r = compileCondition('true');
    assert.ok(r.ok);
    assert.equal(r.condition.predicate, undefined);
  });
});
