// Route errors are a user-facing contract: the exact words, the column, the code and the phase.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRoute, renderCaret, RouteError, type RouteErrorCode, type RoutePhase } from './index.js';

const CASES: readonly { route: string; code: RouteErrorCode; phase: RoutePhase; column: number; detail: string }[] = [
  {
    route: 'FROM /messages/* WHERE temperature > 30 INTO $upstream',
    code: 'EH_ROUTE_TYPE',
    phase: 'compile',
    column: 24,
    detail: 'application properties are strings: write as_number(temperature) > 30',
  },
  {
    route: 'FROM /messages/* WHERE 30 <= $outputName INTO $upstream',
    code: 'EH_ROUTE_TYPE',
    phase: 'compile',
    column: 30,
    detail: 'system properties are strings: write 30 <= as_number($outputName)',
  },
  {
    route: 'FROM /messages/* WHERE key1 = null INTO $upstream',
    code: 'EH_ROUTE_TYPE',
    phase: 'compile',
    column: 24,
    detail: 'key1 is a string, never the null literal: write is_null(key1)',
  },
  {
    route: 'FROM /messages/* WHERE alert = true INTO $upstream',
    code: 'EH_ROUTE_TYPE',
    phase: 'compile',
    column: 24,
    detail: "application properties are strings: write alert = 'true'",
  },
  {
    route: "FROM /messages/* WHERE 'a' + 'b' = 'ab' INTO $upstream",
    code: 'EH_ROUTE_TYPE',
    phase: 'compile',
    column: 24,
    detail: "'+' adds numbers; to join strings write 'a' || 'b'",
  },
  {
    route: 'FROM /messages/* WHERE is_defined(x) AND level INTO $upstream',
    code: 'EH_ROUTE_TYPE',
    phase: 'compile',
    column: 42,
    detail: "AND combines conditions (true or false), and level is a string: compare it, as in level = 'true'",
  },
  {
    route: 'FROM /messages/* WHERE is_definde(x) INTO $upstream',
    code: 'EH_ROUTE_FUNCTION',
    phase: 'compile',
    column: 24,
    detail: "unknown function 'is_definde'; did you mean is_defined?",
  },
  {
    route: 'FROM /twinChangeNotifications WHERE twin_change_includes(properties.reported.x) INTO $upstream',
    code: 'EH_ROUTE_FUNCTION',
    phase: 'compile',
    column: 37,
    detail:
      'twin_change_includes only works in IoT Hub routes; at the edge, route FROM /twinChangeNotifications and test $body fields instead',
  },
  {
    route: 'FROM /messages/* WHERE abs(level) > 1 INTO $upstream',
    code: 'EH_ROUTE_FUNCTION',
    phase: 'compile',
    column: 24,
    detail: 'abs takes abs(number), not abs(string); application properties are strings: wrap level in as_number()',
  },
  {
    route: 'FROM /messages/* WHERE $body.a..b = 1 INTO $upstream',
    code: 'EH_ROUTE_BODY',
    phase: 'compile',
    column: 24,
    detail: "invalid $body path 'a..b': an empty name (two dots, or a dot at the end)",
  },
  {
    route: 'FROM /messages/* WHERE $body = 1 INTO $upstream',
    code: 'EH_ROUTE_BODY',
    phase: 'compile',
    column: 24,
    detail: '$body alone is not a value: query a field, as in $body.temperature',
  },
  {
    route: 'FROM /messages/events INTO $upstream',
    code: 'EH_ROUTE_SOURCE',
    phase: 'parse',
    column: 6,
    detail:
      '/messages/events matches no message: /messages/events is part of the MQTT topic, not a route source; write FROM /messages/* for all messages',
  },
  {
    route: 'FROM /messages/modules/filter/inputs/in1 INTO $upstream',
    code: 'EH_ROUTE_SOURCE',
    phase: 'parse',
    column: 6,
    detail:
      "/messages/modules/filter/inputs/in1 matches no message: a source names where messages come from, a module's outputs (/messages/modules/<module>/outputs/<output>), not an input",
  },
  {
    route: 'FROM /messages/* INTO $upstream extra',
    code: 'EH_ROUTE_TRAILING',
    phase: 'parse',
    column: 33,
    detail: "text after the sink is ignored: remove 'extra'",
  },
  {
    route: 'FROM /messages/* INTO upstream',
    code: 'EH_ROUTE_SINK',
    phase: 'parse',
    column: 23,
    detail: "'upstream' is not a sink: write $upstream, with the $",
  },
  {
    route: 'FROM /messages/* INTO BrokeredEndpoint("/modules/m/in1")',
    code: 'EH_ROUTE_SINK',
    phase: 'parse',
    column: 40,
    detail: 'BrokeredEndpoint takes "/modules/<module>/inputs/<input>", got "/modules/m/in1"',
  },
  {
    route: 'FROM /messages/* INTO BrokeredEndpoint("/a/m/b/in1")',
    code: 'EH_ROUTE_SINK',
    phase: 'parse',
    column: 40,
    detail: `write "/modules/m/inputs/in1": the reference ignores 'a' and 'b', edgehub does not`,
  },
  {
    route: 'FORM /messages INTO $upstream',
    code: 'EH_ROUTE_SYNTAX',
    phase: 'parse',
    column: 1,
    detail: "a route starts with FROM (or SELECT * FROM), found 'FORM'",
  },
  {
    route: 'FROM messages/* INTO $upstream',
    code: 'EH_ROUTE_SYNTAX',
    phase: 'parse',
    column: 6,
    detail: "a source starts with '/', as in FROM /messages/*; found 'messages'",
  },
  {
    route: 'FROM /messages/* WHERE INTO $upstream',
    code: 'EH_ROUTE_SYNTAX',
    phase: 'parse',
    column: 24,
    detail: "WHERE needs a condition before 'INTO', e.g. WHERE $connectionModuleId = 'filter'",
  },
  {
    route: 'FROM /messages/* WHERE TRUE INTO $upstream',
    code: 'EH_ROUTE_PITFALL',
    phase: 'parse',
    column: 24,
    detail: "'TRUE' is read as a property name: the literal is lower-case true",
  },
  {
    route: "FROM /messages/* WHERE 'a'||'b' = 'ab' INTO $upstream",
    code: 'EH_ROUTE_PITFALL',
    phase: 'parse',
    column: 24,
    detail: "''a'||'b'' is read as one property name: put spaces around operators and after closing quotes",
  },
  {
    route: "FROM /messages/* WHERE $body.temp>=30AND$x='y' INTO $upstream",
    code: 'EH_ROUTE_PITFALL',
    phase: 'parse',
    column: 36,
    detail: "'30AND$x' is read as one property name: put spaces around AND",
  },
  {
    route: 'FROM /messages/* WHERE -$body.t = -50 INTO $upstream',
    code: 'EH_ROUTE_PITFALL',
    phase: 'parse',
    column: 24,
    detail: "'-$body.t' is read as one property name: put spaces around '-'",
  },
  {
    route: "FROM /messages/* WHERE key1!='value1' INTO $upstream",
    code: 'EH_ROUTE_PITFALL',
    phase: 'parse',
    column: 24,
    detail: "'key1!' is read as a property name ending in '!': write key1 != … with spaces",
  },
  {
    route: 'FROM /messages/*INTO',
    code: 'EH_ROUTE_SYNTAX',
    phase: 'parse',
    column: 16,
    detail: "expected WHERE or INTO after the source: '*INTO' reads as one word; put a space before INTO",
  },
  {
    route: 'FROM /messages/* WHERE a = 1 b',
    code: 'EH_ROUTE_SYNTAX',
    phase: 'parse',
    column: 30,
    detail: "expected INTO after the condition, found 'b'",
  },
  {
    route: '',
    code: 'EH_ROUTE_SYNTAX',
    phase: 'parse',
    column: 1,
    detail: 'the route is empty; write FROM <source> [WHERE <condition>] INTO <sink>',
  },
];

describe('RouteError from compileRoute', () => {
  for (const c of CASES) {
    it(`${c.route || '(empty)'} → ${c.code} at column ${c.column}`, () => {
      const r = compileRoute({ name: 'r1', route: c.route });
      assert.equal(r.ok, false);
      const e = r.error;
      assert.ok(e instanceof RouteError);
      assert.equal(e.detail, c.detail);
      assert.equal(e.code, c.code);
      assert.equal(e.phase, c.phase);
      assert.equal(e.column, c.column);
      assert.equal(e.line, 1);
      assert.equal(e.routeName, 'r1');
      assert.equal(e.message, `route "r1", column ${c.column}: ${c.detail}`);
    });
  }

  it('renders the route with a caret under the column', () => {
    const r = compileRoute({ name: 'alerts', route: 'FROM /messages/* WHERE temperature > 30 INTO $upstream' });
    assert.ok(!r.ok);
    assert.equal(
      r.error.render(),
      [
        'route "alerts", column 24: application properties are strings: write as_number(temperature) > 30 [EH_ROUTE_TYPE]',
        '  FROM /messages/* WHERE temperature > 30 INTO $upstream',
        '                         ^~~~~~~~~~~',
      ].join('\n'),
    );
  });

  it('gives line and column in a route written over several lines', () => {
    const r = compileRoute({ name: 'r', route: 'FROM /messages/*\n  WHERE a = 1\n  INTO $upstream' });
    assert.ok(!r.ok);
    assert.deepEqual([r.error.line, r.error.column], [2, 9]);
    assert.match(r.error.message, /^route "r", line 2, column 9: /);
    assert.equal(renderCaret(r.error.text, r.error.offset, r.error.length), '    WHERE a = 1\n          ^');
  });
});

describe('renderCaret', () => {
  it('keeps tabs so the caret lines up, and clips the span to the line', () => {
    assert.equal(renderCaret('\ta = 1', 1, 99, ''), '\ta = 1\n\t^~~~~');
  });
  it('points past the end for an error at the end of the text', () => {
    assert.equal(renderCaret('a =', 3, 0, ''), 'a =\n   ^');
  });
});
