import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from './lexer.js';

/** `KIND:text` per token, EOF left out. */
function lex(text: string): string[] {
  return tokenize(text)
    .filter((t) => t.kind !== 'EOF')
    .map((t) => `${t.kind}:${t.text}`);
}

// Reference §2.3 and §1.2: the longest match wins, ties go to the rule defined first.
const PITFALLS: readonly [string, string[]][] = [
  ['3-4', ['ID:3-4']],
  ['x*2', ['ID:x*2']],
  ['-x', ['ID:-x']],
  ['a+b', ['ID:a+b']],
  ["key1!='x'", ['ID:key1!', '=:=', "STRING:'x'"]],
  ["'a'||'b'", ["ID:'a'||'b'"]],
  ["'a' || 'b'", ["STRING:'a'", '||:||', "STRING:'b'"]],
  ["x = 'a'and y", ['ID:x', '=:=', "ID:'a'and", 'ID:y']],
  ['3 -4', ['INTEGER:3', 'INTEGER:-4']],
  ['3 - 4', ['INTEGER:3', '-:-', 'INTEGER:4']],
  ['temperature>30', ['ID:temperature', '>:>', 'INTEGER:30']],
  ["a<>'b'", ['ID:a', '<>:<>', "STRING:'b'"]],
  ["key2='3'", ['ID:key2', '=:=', "STRING:'3'"]],
  ["'3'=key2", ["STRING:'3'", '=:=', 'ID:key2']],
  ["$body.temp>=30AND$x='y'", ['SYS_PROP:$body.temp', '>=:>=', 'ID:30AND$x', '=:=', "STRING:'y'"]],
  ['a.b', ['ID:a.b']],
  ['TRUE true True', ['ID:TRUE', 'TRUE:true', 'ID:True']],
  ['null NULL undefined', ['NULL:null', 'ID:NULL', 'UNDEFINED:undefined']],
  ['and AND oR Not', ['AND:and', 'AND:AND', 'OR:oR', 'NOT:Not']],
  ['andx', ['ID:andx']],
  ['test == true', ['ID:test', '=:=', '=:=', 'TRUE:true']],
  ['a && b', ['ID:a', 'ID:&&', 'ID:b']],
  ['!x', ['ID:!x']],
  ['0x1F 1e3 .5 10e1000 -2.1', ['HEX:0x1F', 'REAL:1e3', 'REAL:.5', 'REAL:10e1000', 'REAL:-2.1']],
  ['e5', ['REAL:e5']],
  ['$a[0] a[0]', ['SYS_PROP:$a[0]', 'QUERY_PATH:a[0]']],
  ['{ $sys1 }', ['{:{', 'SYS_PROP:$sys1', '}:}']],
  ['$', ['ID:$']],
  ['@ ; a?b ??', ['UNKNOWN_CHAR:@', 'UNKNOWN_CHAR:;', 'ID:a', 'UNKNOWN_CHAR:?', 'ID:b', '??:??']],
  ['\'\\u0041\' "q\\""', ["STRING:'\\u0041'", 'STRING:"q\\""']],
  ['none = "', ['ID:none', '=:=', 'UNTERMINATED_STRING:"']],
  ["'abc", ["UNTERMINATED_STRING:'abc"]],
  ['"a\\nb"', ['UNTERMINATED_STRING:"a', 'UNKNOWN_CHAR:\\', 'ID:nb', 'UNTERMINATED_STRING:"']],
];

const ROUTES: readonly [string, string[]][] = [
  [
    'FROM /messages/* INTO $upstream',
    ['FROM:FROM', '/:/', 'ID:messages', '/:/', '*:*', 'INTO:INTO', 'SYS_PROP:$upstream'],
  ],
  ['FROM /messages/*INTO $upstream', ['FROM:FROM', '/:/', 'ID:messages', '/:/', 'ID:*INTO', 'SYS_PROP:$upstream']],
  ['from / messages / out*', ['FROM:from', '/:/', 'ID:messages', '/:/', 'ID:out*']],
  ['FROM /my-mod.x/$edgeHub', ['FROM:FROM', '/:/', 'ID:my-mod.x', '/:/', 'SYS_PROP:$edgeHub']],
  ['SELECT * FROM /*', ['SELECT:SELECT', '*:*', 'FROM:FROM', '/:/', '*:*']],
  // A comment needs its closing `*/`; without one, `/*` is a source.
  ['FROM /* x */ /a', ['FROM:FROM', '/:/', 'ID:a']],
];

describe('tokenize', () => {
  for (const [text, tokens] of [...PITFALLS, ...ROUTES]) {
    it(`${text} → ${tokens.join(' ')}`, () => assert.deepEqual(lex(text), tokens));
  }

  it('keeps offsets and ends with EOF at the end of the text', () => {
    const tokens = tokenize('  a = 1 ');
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.offset]),
      [
        ['ID', 2],
        ['=', 4],
        ['INTEGER', 6],
        ['EOF', 8],
      ],
    );
  });
});
