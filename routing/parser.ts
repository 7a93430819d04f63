// Tokens → condition tree, by precedence climbing over the levels of reference §2.1 (`??` loosest, then OR,
// AND, equality, comparison, `+ - ||`, `* / %`; unary `-` and NOT bind tighter than every binary operator).
// Stops at the first error with a message that says what to write instead.
import type { BinaryOp, Expr } from './ast.js';
import type { Finding, TextSpan } from './errors.js';
import { tokenize, type Token, type TokenKind } from './lexer.js';

/** Internal control flow of this recursive-descent parser: caught by `parseWith`, never escapes the module. */
class SyntaxFailure extends Error {
  constructor(readonly finding: Finding) {
    super(finding.detail);
  }
}

/** Stops the parse with this finding (any code: the statement parser reports sink errors this way too). */
export function fail(finding: Finding): never {
  throw new SyntaxFailure(finding);
}

export function syntaxError(span: TextSpan, detail: string): never {
  return fail({ code: 'EH_ROUTE_SYNTAX', phase: 'parse', span, detail });
}

/** Runs a parse step, turning the first syntax error into a value. */
export function parseWith<T>(step: () => T): { ok: true; value: T } | { ok: false; finding: Finding } {
  try {
    return { ok: true, value: step() };
  } catch (err) {
    if (err instanceof SyntaxFailure) return { ok: false, finding: err.finding };
    throw err;
  }
}

export function spanOf(t: Token): TextSpan {
  return { offset: t.offset, length: Math.max(1, t.text.length) };
}
function join(a: TextSpan, b: TextSpan): TextSpan {
  return { offset: a.offset, length: b.offset + b.length - a.offset };
}
export function quote(text: string): string {
  return text === '' ? 'the end of the text' : `'${text}'`;
}

const LEVELS: readonly (readonly TokenKind[])[] = [
  ['??'],
  ['OR'],
  ['AND'],
  ['=', '!=', '<>'],
  ['<', '<=', '>', '>='],
  ['+', '-', '||'],
  ['*', '/', '%'],
];
const OPS: Partial<Record<TokenKind, BinaryOp>> = {
  '??': '??',
  OR: 'or',
  AND: 'and',
  '=': '=',
  '!=': '!=',
  '<>': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '+': '+',
  '-': '-',
  '||': '||',
  '*': '*',
  '/': '/',
  '%': '%',
};

/** Reference escapes: `\'`, `\"`, `\\` and `\uXXXX`, read left to right (so `\\u0041` stays `\u0041`). */
export function unescapeString(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|["'\\])/g, (_m, e: string) =>
    e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e,
  );
}

/** A 64-bit two's-complement hex literal, as the reference reads it (`0xFFFFFFFFFFFFFFFF` is -1). */
function hexValue(t: Token): number {
  const v = BigInt(t.text);
  if (v > 0xffffffffffffffffn) syntaxError(spanOf(t), `${t.text} does not fit in 64 bits`);
  return Number(v >= 0x8000000000000000n ? v - 0x10000000000000000n : v);
}

export class ExpressionParser {
  pos: number;

  constructor(
    readonly tokens: readonly Token[],
    start = 0,
  ) {
    this.pos = start;
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  previous(): Token | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }

  expression(level = 0): Expr {
    if (level === LEVELS.length) return this.unary();
    let left = this.expression(level + 1);
    while (LEVELS[level]!.includes(this.peek().kind)) {
      const opToken = this.next();
      const right = this.expression(level + 1);
      const op = OPS[opToken.kind]!;
      left = { kind: 'binary', op, opSpan: spanOf(opToken), left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === '-' || t.kind === 'NOT') {
      this.next();
      const operand = this.unary();
      return {
        kind: 'unary',
        op: t.kind === '-' ? '-' : 'not',
        opSpan: spanOf(t),
        operand,
        span: join(spanOf(t), operand.span),
      };
    }
    return this.primary();
  }

  private primary(): Expr {
    const before = this.previous();
    const t = this.next();
    const span = spanOf(t);
    switch (t.kind) {
      case 'INTEGER':
      case 'REAL': {
        const value = Number(t.text);
        if (Number.isNaN(value)) {
          syntaxError(span, `'${t.text}' reads as a number without digits; property names like it cannot be used`);
        }
        return { kind: 'number', value, span };
      }
      case 'HEX':
        return { kind: 'number', value: hexValue(t), span };
      case 'STRING':
        return { kind: 'string', value: unescapeString(t.text.slice(1, -1)), span };
      case 'UNTERMINATED_STRING':
        return syntaxError(span, `unterminated string: add the closing ${t.text[0]}`);
      case 'TRUE':
      case 'FALSE':
        return { kind: 'bool', value: t.kind === 'TRUE', span };
      case 'NULL':
        return { kind: 'null', span };
      case 'UNDEFINED':
        return { kind: 'undefined', span };
      case 'SYS_PROP':
        return { kind: 'dollar', name: t.text, span };
      case '{':
        return this.escaped(t);
      case 'ID':
        return this.peek().kind === '(' ? this.call(t) : { kind: 'property', name: t.text, span };
      case '(': {
        const inner = this.expression();
        const close = this.next();
        if (close.kind !== ')') this.unclosed(t, close);
        return { ...inner, span: join(span, spanOf(close)) };
      }
      default:
        return this.expectedValue(t, before);
    }
  }

  private escaped(open: Token): Expr {
    const name = this.next();
    if (name.kind !== 'SYS_PROP') {
      syntaxError(spanOf(name), `'{' must be followed by a $name, as in {$connectionDeviceId}`);
    }
    const close = this.next();
    if (close.kind !== '}') syntaxError(spanOf(close), `expected '}' after {${name.text}`);
    return { kind: 'escaped', name: name.text, span: join(spanOf(open), spanOf(close)) };
  }

  private call(name: Token): Expr {
    this.next(); // '('
    const args: Expr[] = [];
    if (this.peek().kind !== ')') {
      for (;;) {
        args.push(this.expression());
        if (this.peek().kind !== ',') break;
        this.next();
      }
    }
    const close = this.next();
    if (close.kind !== ')') {
      syntaxError(
        spanOf(close),
        `expected ',' or ')' in the arguments of ${name.text}(…), found ${quote(close.text)}${hintFor(close)}`,
      );
    }
    return { kind: 'call', name: name.text, nameSpan: spanOf(name), args, span: join(spanOf(name), spanOf(close)) };
  }

  private unclosed(open: Token, found: Token): never {
    const hint = hintFor(found);
    if (hint !== '') syntaxError(spanOf(found), `unexpected ${quote(found.text)} inside parentheses${hint}`);
    return syntaxError(spanOf(open), `this '(' is never closed: add ')' before ${quote(found.text)}`);
  }

  private expectedValue(t: Token, prev: Token | undefined): never {
    const span = spanOf(t);
    if (t.kind === '=' && prev?.kind === '=')
      syntaxError(join(spanOf(prev), span), `'==' is not an operator: compare with a single '='`);
    if (t.kind === 'UNKNOWN_CHAR') syntaxError(span, unknownChar(t.text));
    if (t.kind === 'QUERY_PATH') {
      syntaxError(span, `'${t.text}' is not a name: '[' and ']' only work in $body paths such as $body.values[0]`);
    }
    if (prev === undefined || prev.kind === 'WHERE') {
      syntaxError(span, `WHERE needs a condition before ${quote(t.text)}, e.g. WHERE $connectionModuleId = 'filter'`);
    }
    if (t.kind === ')' && prev.kind === '(') syntaxError(span, `empty parentheses: put a condition or value inside`);
    return syntaxError(
      span,
      `expected a value (a property, a literal or a function call) after ${quote(prev.text)}, found ${quote(t.text)}`,
    );
  }
}

export function unknownChar(c: string): string {
  if (c === '?') return `a single '?' is not an operator ('??' is the coalesce operator)`;
  if (c === '[' || c === ']') return `'${c}' only works in $body paths such as $body.values[0]`;
  return `'${c}' is not allowed here`;
}

/** Advice for a token that cannot follow a complete expression: the common slips of reference §2.3. */
export function hintFor(t: Token, previous?: Token): string {
  const text = t.text;
  if (t.kind === 'UNKNOWN_CHAR' && text === ':' && previous?.kind === 'SYS_PROP' && previous.text.includes('[')) {
    return `: a $body index is one whole number, as in [1]; slices like [1:2] are not supported`;
  }
  if (t.kind === 'UNKNOWN_CHAR') return `: ${unknownChar(text)}`;
  if (t.kind === ')') return `: there is no '(' for it to close`;
  if ((t.kind === 'INTEGER' || t.kind === 'REAL') && text.startsWith('-')) {
    return `: '${text}' reads as a negative number; to subtract, write '- ${text.slice(1)}' with a space`;
  }
  if (t.kind !== 'ID' && t.kind !== 'QUERY_PATH') return '';
  const glued = /(into|where)$/i.exec(text);
  if (glued && glued.index > 0) return `: '${text}' reads as one word; put a space before ${glued[1]!.toUpperCase()}`;
  if (text.startsWith('&&')) return `: '&&' is not an operator, write AND`;
  if (text.startsWith('!')) return `: '!' is not NOT, write NOT (or != to compare)`;
  if (/^[+\-*%|]/.test(text)) return `: '${text}' reads as one name; put a space after '${text[0]!}'`;
  return '';
}

/** Parses a condition on its own (`routes eval`, tests). An empty condition is allowed: it is never true. */
export function parseCondition(text: string): { ok: true; value: Expr | undefined } | { ok: false; finding: Finding } {
  const tokens = tokenize(text);
  return parseWith(() => {
    const p = new ExpressionParser(tokens);
    if (p.peek().kind === 'EOF') return undefined;
    const e = p.expression();
    const rest = p.peek();
    if (rest.kind !== 'EOF') {
      syntaxError(spanOf(rest), `unexpected ${quote(rest.text)} after the condition${hintFor(rest, p.previous())}`);
    }
    return e;
  });
}
