// The condition syntax tree, as written (before types). Spans point into the text that was parsed, so errors
// found later (types, functions) can still name a column.
import type { TextSpan } from './errors.js';

export type BinaryOp =
  '*' | '/' | '%' | '+' | '-' | '||' | '<' | '<=' | '>' | '>=' | '=' | '!=' | '<>' | 'and' | 'or' | '??';

export type UnaryOp = '-' | 'not';

interface Node {
  /** The whole node, including parentheses written around it. */
  readonly span: TextSpan;
}

export interface NumberLiteral extends Node {
  readonly kind: 'number';
  readonly value: number;
}
export interface StringLiteral extends Node {
  readonly kind: 'string';
  readonly value: string;
}
export interface BoolLiteral extends Node {
  readonly kind: 'bool';
  readonly value: boolean;
}
export interface NullLiteral extends Node {
  readonly kind: 'null';
}
export interface UndefinedLiteral extends Node {
  readonly kind: 'undefined';
}
/** A bare name: an application property. */
export interface Property extends Node {
  readonly kind: 'property';
  readonly name: string;
}
/** `$name`: an application property literally named `$name`, else system property `name`, or a `$body.` query. */
export interface DollarProperty extends Node {
  readonly kind: 'dollar';
  /** With the leading `$`. */
  readonly name: string;
}
/** `{$name}`: system property `name` (or a `$body.` query), never an application property. */
export interface EscapedProperty extends Node {
  readonly kind: 'escaped';
  /** With the leading `$`. */
  readonly name: string;
}
export interface Call extends Node {
  readonly kind: 'call';
  /** As written; functions are looked up case-insensitively. */
  readonly name: string;
  readonly nameSpan: TextSpan;
  readonly args: readonly Expr[];
}
export interface Unary extends Node {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly opSpan: TextSpan;
  readonly operand: Expr;
}
export interface Binary extends Node {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly opSpan: TextSpan;
  readonly left: Expr;
  readonly right: Expr;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | BoolLiteral
  | NullLiteral
  | UndefinedLiteral
  | Property
  | DollarProperty
  | EscapedProperty
  | Call
  | Unary
  | Binary;

/** Binding strength, loosest first (reference §2.1); unary operators bind tighter than any binary one. */
export const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  '??': 1,
  or: 2,
  and: 3,
  '=': 4,
  '!=': 4,
  '<>': 4,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '+': 6,
  '-': 6,
  '||': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};
export const UNARY_PRECEDENCE = 8;
export const PRIMARY_PRECEDENCE = 9;

export function precedenceOf(e: Expr): number {
  if (e.kind === 'binary') return PRECEDENCE[e.op];
  if (e.kind === 'unary') return UNARY_PRECEDENCE;
  return PRIMARY_PRECEDENCE;
}

/** The tree without spans: what two parses of the same condition have in common (printer round trips). */
export function stripSpans(e: Expr): unknown {
  switch (e.kind) {
    case 'call':
      return { kind: e.kind, name: e.name, args: e.args.map(stripSpans) };
    case 'unary':
      return { kind: e.kind, op: e.op, operand: stripSpans(e.operand) };
    case 'binary':
      return { kind: e.kind, op: e.op, left: stripSpans(e.left), right: stripSpans(e.right) };
    default: {
      const { span: _span, ...rest } = e;
      return rest;
    }
  }
}
