// Route text → tokens, exactly as the reference's ANTLR lexer (GrammarLexer.g4) cuts it: at each position the
// longest match wins, and a tie goes to the rule defined first (keywords and literals before identifiers).
// That is why `3-4`, `x*2` and `'a'||'b'` are single identifiers and `-4` is a number (reference §2.3).

export type TokenKind =
  | '{'
  | '}'
  | 'SELECT'
  | 'FROM'
  | 'WHERE'
  | 'INTO'
  | 'STRING'
  | 'UNTERMINATED_STRING'
  | 'INTEGER'
  | 'HEX'
  | 'REAL'
  | 'TRUE'
  | 'FALSE'
  | 'NULL'
  | 'UNDEFINED'
  | '('
  | ')'
  | ','
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | 'AND'
  | 'OR'
  | 'NOT'
  | '='
  | '!='
  | '<>'
  | '<='
  | '>='
  | '>'
  | '<'
  | '||'
  | '??'
  | 'SYS_PROP'
  | 'ID'
  | 'QUERY_PATH'
  | 'UNKNOWN_CHAR'
  | 'EOF';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 0-based offset of the first character in the lexed text. */
  readonly offset: number;
}

// Characters that end an identifier (GrammarLexer.g4 ID_CHARS); `[` and `]` are allowed in `$…` names.
const NOT_ID = new Set('()<>@,;:\\"/[]?={} \t\n\r');
const NOT_QUERY_PATH = new Set('()<>@,;:\\"/?={} \t\n\r');

export function isIdChar(c: string | undefined): boolean {
  return c !== undefined && !NOT_ID.has(c);
}
function isQueryPathChar(c: string | undefined): boolean {
  return c !== undefined && !NOT_QUERY_PATH.has(c);
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

type Rule = readonly [TokenKind, (s: string, i: number) => number];

function literal(word: string): (s: string, i: number) => number {
  return (s, i) => (s.startsWith(word, i) ? word.length : 0);
}
function keyword(word: string): (s: string, i: number) => number {
  return (s, i) => (s.slice(i, i + word.length).toLowerCase() === word ? word.length : 0);
}
function run(s: string, i: number, accept: (c: string | undefined) => boolean): number {
  let j = i;
  while (j < s.length && accept(s[j])) j++;
  return j - i;
}

/** `'…'` or `"…"`; escapes are `\'`, `\"`, `\\` and `\uXXXX` only. Returns [length, terminated]. */
function quoted(s: string, i: number): [number, boolean] {
  const q = s[i];
  if (q !== '"' && q !== "'") return [0, false];
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === q) return [j + 1 - i, true];
    if (c === '\\') {
      const n = s[j + 1];
      if (n === '"' || n === "'" || n === '\\') j += 2;
      else if (n === 'u' && [2, 3, 4, 5].every((k) => isHexDigit(s[j + k]))) j += 6;
      else return [j - i, false];
    } else j++;
  }
  return [j - i, false];
}

function exponent(s: string, i: number): number {
  if (s[i] !== 'e' && s[i] !== 'E') return 0;
  let j = i + 1;
  if (s[j] === '+' || s[j] === '-') j++;
  const digits = run(s, j, isDigit);
  return digits === 0 ? 0 : j + digits - i;
}

function real(s: string, i: number): number {
  let j = i;
  if (s[j] === '-') j++;
  j += run(s, j, isDigit);
  let best = 0;
  if (s[j] === '.') {
    const frac = run(s, j + 1, isDigit);
    if (frac > 0) best = j + 1 + frac + exponent(s, j + 1 + frac) - i;
  }
  const exp = exponent(s, j);
  return Math.max(best, exp > 0 ? j + exp - i : 0);
}

const RULES: readonly Rule[] = [
  ['{', literal('{')],
  ['}', literal('}')],
  ['SELECT', keyword('select')],
  ['FROM', keyword('from')],
  ['WHERE', keyword('where')],
  ['INTO', keyword('into')],
  ['STRING', (s, i) => (quoted(s, i)[1] ? quoted(s, i)[0] : 0)],
  ['UNTERMINATED_STRING', (s, i) => (quoted(s, i)[1] ? 0 : quoted(s, i)[0])],
  ['INTEGER', (s, i) => (s[i] === '-' ? run(s, i + 1, isDigit) + (isDigit(s[i + 1]) ? 1 : 0) : run(s, i, isDigit))],
  [
    'HEX',
    (s, i) =>
      s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')
        ? ((n) => (n > 0 ? n + 2 : 0))(run(s, i + 2, isHexDigit))
        : 0,
  ],
  ['REAL', real],
  ['TRUE', literal('true')],
  ['FALSE', literal('false')],
  ['NULL', literal('null')],
  ['UNDEFINED', literal('undefined')],
  ['(', literal('(')],
  [')', literal(')')],
  [',', literal(',')],
  ['+', literal('+')],
  ['-', literal('-')],
  ['*', literal('*')],
  ['/', literal('/')],
  ['%', literal('%')],
  ['AND', keyword('and')],
  ['OR', keyword('or')],
  ['NOT', keyword('not')],
  ['=', literal('=')],
  ['!=', literal('!=')],
  ['<>', literal('<>')],
  ['<=', literal('<=')],
  ['>=', literal('>=')],
  ['>', literal('>')],
  ['<', literal('<')],
  ['||', literal('||')],
  ['??', literal('??')],
  ['SYS_PROP', (s, i) => (s[i] === '$' ? ((n) => (n > 0 ? n + 1 : 0))(run(s, i + 1, isQueryPathChar)) : 0)],
  ['ID', (s, i) => run(s, i, isIdChar)],
  ['QUERY_PATH', (s, i) => run(s, i, isQueryPathChar)],
];

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Cuts `text` into tokens, dropping whitespace and `/* … *\/` comments, and ends with an EOF token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (isSpace(text[i])) {
      i++;
      continue;
    }
    // A comment needs its closing `*/`; without one, `/*` is a `/` followed by a `*` (as in `FROM /*`).
    if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      if (close !== -1) {
        i = close + 2;
        continue;
      }
    }
    let kind: TokenKind = 'UNKNOWN_CHAR';
    let length = 1;
    let best = 0;
    for (const [k, match] of RULES) {
      const n = match(text, i);
      if (n > best) {
        best = n;
        kind = k;
        length = n;
      }
    }
    tokens.push({ kind, text: text.slice(i, i + length), offset: i });
    i += length;
  }
  tokens.push({ kind: 'EOF', text: '', offset: text.length });
  return tokens;
}

/** Tokens that read as a word and may name a module or output in a source path (`/outputs/1` is fine here). */
export const WORD_TOKENS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'ID',
  'INTEGER',
  'HEX',
  'REAL',
  'TRUE',
  'FALSE',
  'NULL',
  'UNDEFINED',
  'AND',
  'OR',
  'NOT',
]);
