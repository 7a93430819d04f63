import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Expr } from './ast.js';
import { parseCondition } from './parser.js';

/** The tree as a fully parenthesised S-expression: structure only. */
function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'unary':
      return `(${e.op} ${sexpr(e.operand)})`;
    case 'call':
      return `${e.name}(${e.args.map(sexpr).join(' ')})`;
    case 'string':
      return `'${e.value}'`;
    case 'number':
    case 'bool':
      return String(e.value);
    case 'null':
    case 'undefined':
      return e.kind;
    case 'escaped':
      return `{${e.name}}`;
    default:
      return e.name;
  }
}

function tree(text: string): string {
  const r = parseCondition(text);
  assert.ok(r.ok, r.ok ? '' : r.finding.detail);
  return r.value === undefined ? '(empty)' : sexpr(r.value);
}

// Reference §2.1: earlier levels bind tighter; all binary operators are left-associative.
const PRECEDENCE: readonly [string, string][] = [
  ['a * b + c', '(+ (* a b) c)'],
  ['a + b * c', '(+ a (* b c))'],
  ['a - b - c', '(- (- a b) c)'],
  ['a / b % c', '(% (/ a b) c)'],
  ["'a' || 'b' || 'c' = 'abc'", "(= (|| (|| 'a' 'b') 'c') 'abc')"],
  ['3 + 4 < 7', '(< (+ 3 4) 7)'],
  ['a < b = c > d', '(= (< a b) (> c d))'],
  ['3 = 3 = true', '(= (= 3 3) true)'],
  ['a = 1 AND b = 2 OR c = 3', '(or (and (= a 1) (= b 2)) (= c 3))'],
  ['a OR b AND c', '(or a (and b c))'],
  ["a ?? b = 'c'", "(?? a (= b 'c'))"],
  ['a ?? b ?? c', '(?? (?? a b) c)'],
  ["not a = 'x'", "(= (not a) 'x')"],
  ['not true and false', '(and (not true) false)'],
  ['NOT NOT x', '(not (not x))'],
  ['- a * b', '(* (- a) b)'],
  ['- - 3', '(- (- 3))'],
  ['a - -3', '(- a -3)'],
  ['(a + b) * c', '(* (+ a b) c)'],
  ['not (true and false)', '(not (and true false))'],
  ['f(a, b + 1, g())', 'f(a (+ b 1) g())'],
  ['{ $sys1 } <> $x', '(<> {$sys1} $x)'],
  ['$body.a[0].b != 1', '(!= $body.a[0].b 1)'],
  ['', '(empty)'],
  ['   ', '(empty)'],
];

describe('parseCondition: precedence and associativity', () => {
  for (const [text, expected] of PRECEDENCE) it(`${text} → ${expected}`, () => assert.equal(tree(text), expected));
});

describe('parseCondition: literals', () => {
  const values: readonly [string, unknown][] = [
    ['0x1F', 31],
    ['0xFFFFFFFFFFFFFFFF', -1],
    ['1e3', 1000],
    ['.5', 0.5],
    ['10e1000', Infinity],
    ['-0', -0],
    ["'it\\'s'", "it's"],
    ['"\\u0041\\\\"', 'A\\'],
    ["'\\\\u0041'", '\\u0041'],
    ['true', true],
  ];
  for (const [text, value] of values) {
    it(`${text} is ${String(value)}`, () => {
      const r = parseCondition(text);
      assert.ok(r.ok && r.value !== undefined && 'value' in r.value);
      assert.equal(r.value.value, value);
    });
  }
});

// The first syntax error: where (1-based column) and what to do. These texts are a user-facing contract.
const ERRORS: readonly [string, number, string][] = [
  ['test == true', 6, "'==' is not an operator: compare with a single '='"],
  ['none = "', 8, 'unterminated string: add the closing "'],
  ["a = 'x' && b = 'y'", 9, "unexpected '&&' after the condition: '&&' is not an operator, write AND"],
  [
    '3 -4',
    3,
    "unexpected '-4' after the condition: '-4' reads as a negative number; to subtract, write '- 4' with a space",
  ],
  ['(2 + 22 = 24', 1, "this '(' is never closed: add ')' before the end of the text"],
  ['(2 + 22 )) = 24', 10, "unexpected ')' after the condition: there is no '(' for it to close"],
  ['as_number("2" = 24', 19, "expected ',' or ')' in the arguments of as_number(…), found the end of the text"],
  ['3 = @ 3', 5, "'@' is not allowed here"],
  ['a ? b', 3, "unexpected '?' after the condition: a single '?' is not an operator ('??' is the coalesce operator)"],
  ['a = ', 5, "expected a value (a property, a literal or a function call) after '=', found the end of the text"],
  ['a[0] = 1', 1, "'a[0]' is not a name: '[' and ']' only work in $body paths such as $body.values[0]"],
  [
    '$body.properties[1:2]',
    19,
    "unexpected ':' after the condition: a $body index is one whole number, as in [1]; slices like [1:2] are not supported",
  ],
  ['{x}', 2, "'{' must be followed by a $name, as in {$connectionDeviceId}"],
  ['e5 = 1', 1, "'e5' reads as a number without digits; property names like it cannot be used"],
  ['0x10000000000000000 = 1', 1, '0x10000000000000000 does not fit in 64 bits'],
  ['a = () ', 6, 'empty parentheses: put a condition or value inside'],
];

describe('parseCondition: errors', () => {
  for (const [text, column, detail] of ERRORS) {
    it(`${text} → column ${column}: ${detail}`, () => {
      const r = parseCondition(text);
      assert.equal(r.ok, false);
      assert.equal(r.finding.code, 'EH_ROUTE_SYNTAX');
      assert.equal(r.finding.phase, 'parse');
      assert.equal(r.finding.detail, detail);
      assert.equal(r.finding.span.offset + 1, column);
    });
  }
});
