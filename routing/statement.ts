// `[SELECT *] FROM <source> [WHERE <condition>] INTO <sink>`: the statement around a condition.
// Sources are prefixes matched case-insensitively against the message's source string (reference §1.2);
// sinks are `$upstream` or `BrokeredEndpoint("/modules/{id}/inputs/{name}")` (§1.3).
import type { Expr } from './ast.js';
import type { Finding, RouteErrorCode, TextSpan } from './errors.js';
import { tokenize, WORD_TOKENS, type Token } from './lexer.js';
import { ExpressionParser, fail, hintFor, parseWith, quote, spanOf, syntaxError } from './parser.js';

export type Sink =
  { readonly kind: 'upstream' } | { readonly kind: 'module'; readonly moduleId: string; readonly input: string };

/** Stable endpoint id used as a queue key by the store: "$upstream" or "{moduleId}/{input}". */
export function endpointIdOf(sink: Sink): string {
  return sink.kind === 'upstream' ? '$upstream' : `${sink.moduleId}/${sink.input}`;
}

/** What a source selects, for people and for the table's index; matching itself is by `prefix`. */
export type SourceKind = 'all' | 'messages' | 'modules' | 'module' | 'outputs' | 'output' | 'twin' | 'none';

export interface Source {
  /** As written, without the spaces the grammar allows between items: `/messages/modules/filter/*`. */
  readonly text: string;
  /** Normalised as the reference does: trailing `*` and `/` stripped, then one `/`: `/messages/modules/filter/`. */
  readonly prefix: string;
  /** `prefix` lower-cased: a message source matches when its own lower-cased string starts with it. */
  readonly folded: string;
  readonly kind: SourceKind;
  /** For `module`, `outputs` and `output`, as written (module ids in routes keep their case). */
  readonly moduleId?: string;
  readonly outputName?: string;
}

export interface RouteStatement {
  readonly source: Source;
  readonly sourceSpan: TextSpan;
  /** Absent without WHERE: the route takes every message of its source. */
  readonly condition?: { readonly expr: Expr; readonly span: TextSpan };
  readonly sink: Sink;
  readonly sinkSpan: TextSpan;
  /** What the reference accepts silently but is almost certainly a mistake; refused in strict mode. */
  readonly strict: readonly Finding[];
}

function finding(code: RouteErrorCode, span: TextSpan, detail: string): Finding {
  return { code, phase: 'parse', span, detail };
}
function sinkError(span: TextSpan, detail: string): never {
  return fail(finding('EH_ROUTE_SINK', span, detail));
}

export function normaliseSource(text: string): string {
  return `${text.trim().replace(/\*+$/, '').replace(/\/+$/, '')}/`;
}

const SINK_FORM = 'BrokeredEndpoint("/modules/<module>/inputs/<input>")';

export function parseRoute(text: string): { ok: true; value: RouteStatement } | { ok: false; finding: Finding } {
  const tokens = tokenize(text);
  return parseWith(() => new StatementParser(tokens, text).route());
}

class StatementParser extends ExpressionParser {
  private readonly strict: Finding[] = [];

  constructor(
    tokens: readonly Token[],
    private readonly text: string,
  ) {
    super(tokens);
  }

  route(): RouteStatement {
    const first = this.peek();
    if (first.kind === 'EOF')
      syntaxError(spanOf(first), 'the route is empty; write FROM <source> [WHERE <condition>] INTO <sink>');
    if (first.kind === 'SELECT') {
      this.next();
      const star = this.next();
      if (star.kind !== '*')
        syntaxError(spanOf(star), `SELECT must be followed by '*' (SELECT * FROM …), found ${quote(star.text)}`);
    }
    const from = this.next();
    if (from.kind !== 'FROM') {
      syntaxError(spanOf(from), `a route starts with FROM (or SELECT * FROM), found ${quote(from.text)}`);
    }
    const { source, span: sourceSpan } = this.source();
    let condition: RouteStatement['condition'];
    let last = this.previous()!;
    let keyword = this.next();
    if (keyword.kind === 'WHERE') {
      const start = this.peek();
      const expr = this.expression();
      condition = {
        expr,
        span: { offset: start.offset, length: this.previous()!.offset + this.previous()!.text.length - start.offset },
      };
      last = this.previous()!;
      keyword = this.next();
      if (keyword.kind !== 'INTO') {
        syntaxError(
          spanOf(keyword),
          `expected INTO after the condition, found ${quote(keyword.text)}${hintFor(keyword, last)}`,
        );
      }
    } else if (keyword.kind !== 'INTO') {
      // `/messages/*INTO` reads as the item `*INTO`: blame the glued item rather than what follows it.
      const glued = hintFor(last);
      if (glued.includes('put a space before'))
        syntaxError(spanOf(last), `expected WHERE or INTO after the source${glued}`);
      syntaxError(
        spanOf(keyword),
        `expected WHERE or INTO after the source, found ${quote(keyword.text)}${hintFor(keyword)}`,
      );
    }
    const { sink, span: sinkSpan } = this.sink(keyword);
    const rest = this.peek();
    if (rest.kind !== 'EOF') {
      const span = { offset: rest.offset, length: this.text.trimEnd().length - rest.offset };
      this.strict.push(
        finding(
          'EH_ROUTE_TRAILING',
          span,
          `text after the sink is ignored: remove ${quote(this.text.slice(span.offset, span.offset + span.length))}`,
        ),
      );
    }
    return { source, sourceSpan, ...(condition ? { condition } : {}), sink, sinkSpan, strict: this.strict };
  }

  private source(): { source: Source; span: TextSpan } {
    const start = this.peek();
    if (start.kind !== '/') {
      syntaxError(spanOf(start), `a source starts with '/', as in FROM /messages/*; found ${quote(start.text)}`);
    }
    const items: Token[] = [];
    while (this.peek().kind === '/') {
      this.next();
      const item = this.next();
      if (item.kind === 'SYS_PROP') {
        syntaxError(
          spanOf(item),
          `'${item.text}' cannot appear in a source ($ names are not path items); twin change notifications are FROM /twinChangeNotifications`,
        );
      }
      if (item.kind !== '*' && !WORD_TOKENS.has(item.kind)) {
        syntaxError(spanOf(item), `expected a name or '*' after '/', found ${quote(item.text)}${hintFor(item)}`);
      }
      items.push(item);
    }
    const last = items[items.length - 1]!;
    const span = { offset: start.offset, length: last.offset + last.text.length - start.offset };
    const text = items.map((i) => `/${i.text}`).join('');
    const source = classify(
      text,
      items.map((i) => i.text),
    );
    const problem = sourceProblem(
      source,
      items.map((i) => i.text),
    );
    if (problem) this.strict.push(finding('EH_ROUTE_SOURCE', span, problem));
    return { source, span };
  }

  private sink(into: Token): { sink: Sink; span: TextSpan } {
    const t = this.next();
    const span = spanOf(t);
    if (t.kind === 'SYS_PROP') {
      if (t.text.toLowerCase() === '$upstream') return { sink: { kind: 'upstream' }, span };
      return sinkError(span, `'${t.text}' is not an endpoint: the only $ endpoint is $upstream (or use ${SINK_FORM})`);
    }
    if (t.kind === 'EOF') return sinkError(spanOf(into), `INTO needs a sink: $upstream or ${SINK_FORM}`);
    if (t.kind !== 'ID') return sinkError(span, `${quote(t.text)} is not a sink: write $upstream or ${SINK_FORM}`);
    if (this.peek().kind !== '(') {
      const hint =
        t.text.toLowerCase() === 'upstream' ? 'write $upstream, with the $' : `write $upstream or ${SINK_FORM}`;
      return sinkError(span, `'${t.text}' is not a sink: ${hint}`);
    }
    if (t.text.toLowerCase() !== 'brokeredendpoint') {
      return sinkError(span, `'${t.text}' is not a sink function: write ${SINK_FORM}`);
    }
    this.next(); // '('
    const arg = this.next();
    if (arg.kind === 'UNTERMINATED_STRING')
      syntaxError(spanOf(arg), `unterminated string: add the closing ${arg.text[0]!}`);
    if (arg.kind !== 'STRING') return sinkError(spanOf(arg), `BrokeredEndpoint takes a quoted path: ${SINK_FORM}`);
    const close = this.next();
    if (close.kind !== ')')
      syntaxError(spanOf(close), `expected ')' after the BrokeredEndpoint path, found ${quote(close.text)}`);
    const whole = { offset: t.offset, length: close.offset + 1 - t.offset };
    return { sink: this.brokered(arg), span: whole };
  }

  /** Quotes stripped, escapes not processed, trimmed, one leading and one trailing `/` removed (reference §1.3). */
  private brokered(arg: Token): Sink {
    const span = spanOf(arg);
    let path = arg.text.slice(1, -1).trim();
    if (path.startsWith('/')) path = path.slice(1);
    if (path.endsWith('/')) path = path.slice(0, -1);
    const parts = path.split('/');
    if (parts.length !== 4 || parts[1] === '' || parts[3] === '') {
      return sinkError(span, `BrokeredEndpoint takes "/modules/<module>/inputs/<input>", got ${arg.text}`);
    }
    const [modules, moduleId, inputs, input] = parts as [string, string, string, string];
    if (modules.toLowerCase() !== 'modules' || inputs.toLowerCase() !== 'inputs') {
      this.strict.push(
        finding(
          'EH_ROUTE_SINK',
          span,
          `write "/modules/${moduleId}/inputs/${input}": the reference ignores '${modules}' and '${inputs}', edgehub does not`,
        ),
      );
    }
    return { kind: 'module', moduleId, input };
  }
}

function classify(text: string, items: readonly string[]): Source {
  const prefix = normaliseSource(text);
  const folded = prefix.toLowerCase();
  const segs = folded.split('/').filter((s) => s !== '');
  const named = prefix.split('/').filter((s) => s !== '');
  const base = { text, prefix, folded };
  if (segs.length === 0) return { ...base, kind: 'all' };
  if (segs.length === 1 && segs[0] === 'twinchangenotifications') return { ...base, kind: 'twin' };
  if (segs[0] !== 'messages' || items.length === 0) return { ...base, kind: 'none' };
  if (segs.length === 1) return { ...base, kind: 'messages' };
  if (segs[1] !== 'modules') return { ...base, kind: 'none' };
  if (segs.length === 2) return { ...base, kind: 'modules' };
  const moduleId = named[2]!;
  if (segs.length === 3) return { ...base, kind: 'module', moduleId };
  if (segs[3] !== 'outputs') return { ...base, kind: 'none' };
  if (segs.length === 4) return { ...base, kind: 'outputs', moduleId };
  if (segs.length === 5) return { ...base, kind: 'output', moduleId, outputName: named[4]! };
  return { ...base, kind: 'none' };
}

const SOURCES =
  '/*, /messages/*, /messages/modules/<module>/*, /messages/modules/<module>/outputs/<output> or /twinChangeNotifications';

/** Why a source can never match a message (or does not match what it seems to say), else undefined. */
function sourceProblem(source: Source, items: readonly string[]): string | undefined {
  const segs = source.folded.split('/').filter((s) => s !== '');
  const text = source.text;
  if (source.kind === 'none') {
    if (segs[0] === 'messages' && segs[1] === 'events') {
      return `${text} matches no message: /messages/events is part of the MQTT topic, not a route source; write FROM /messages/* for all messages`;
    }
    if (segs.includes('inputs')) {
      return `${text} matches no message: a source names where messages come from, a module's outputs (/messages/modules/<module>/outputs/<output>), not an input`;
    }
    if (segs[0] === 'messages' && segs[1] === 'modules' && segs.length > 3 && segs[3] !== 'outputs') {
      return `${text} matches no message: after the module id comes 'outputs', as in /messages/modules/${source.prefix.split('/')[3]!}/outputs/<output>`;
    }
    return `${text} matches no message: sources are ${SOURCES}`;
  }
  const inner = items.slice(0, -1).find((i) => i.includes('*'));
  if (inner !== undefined) {
    return `'*' is a wildcard only at the end of a source: ${text} matches only a module or output literally named '${inner}'`;
  }
  const last = items[items.length - 1]!;
  if (last !== '*' && last.endsWith('*')) {
    const exact = last.replace(/\*+$/, '');
    return `'${last}' is not a wildcard: this source takes only the output or module named exactly '${exact}'; write ${text.slice(0, -last.length)}* for all`;
  }
  return undefined;
}
