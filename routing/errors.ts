// Route errors: a stable code, where (1-based line and column in the route text), and the cause in words a
// user can act on. They are values: compileRoute and RouteTable.build return them, nothing here is thrown.

/**
 * - `EH_ROUTE_SYNTAX`: the text does not parse (keywords, operators, quotes, parentheses, literals).
 * - `EH_ROUTE_PITFALL`: parses, but not as it reads (`key1!='x'`, `'a'||'b'`, `TRUE`); refused in strict mode.
 * - `EH_ROUTE_SOURCE`: a FROM source that can never match a message; refused in strict mode.
 * - `EH_ROUTE_TRAILING`: text after the sink, which the reference ignores; refused in strict mode.
 * - `EH_ROUTE_SINK`: INTO names no endpoint the hub has.
 * - `EH_ROUTE_TYPE`: operands of the wrong type (application and system properties are strings).
 * - `EH_ROUTE_FUNCTION`: unknown built-in function, or wrong arguments.
 * - `EH_ROUTE_BODY`: a `$body` query that is not a valid path.
 * - `EH_ROUTE_PROPERTY`: a property name the router cannot look up (`[`/`]` outside `$body`).
 */
export type RouteErrorCode =
  | 'EH_ROUTE_SYNTAX'
  | 'EH_ROUTE_PITFALL'
  | 'EH_ROUTE_SOURCE'
  | 'EH_ROUTE_TRAILING'
  | 'EH_ROUTE_SINK'
  | 'EH_ROUTE_TYPE'
  | 'EH_ROUTE_FUNCTION'
  | 'EH_ROUTE_BODY'
  | 'EH_ROUTE_PROPERTY';

/**
 * `parse`: the configuration is refused as a whole (the reference answers 400 to the desired properties).
 * `compile`: the route parses but cannot be compiled (types, functions); the reference keeps the old routes.
 */
export type RoutePhase = 'parse' | 'compile';

/** Where in the route text a problem is: 0-based offset and length of the offending text. */
export interface TextSpan {
  readonly offset: number;
  readonly length: number;
}

/** A problem found before the route's name and text are known (parser, type checker): becomes a RouteError. */
export interface Finding {
  readonly code: RouteErrorCode;
  readonly phase: RoutePhase;
  readonly span: TextSpan;
  readonly detail: string;
}

export interface RouteErrorInit {
  readonly code: RouteErrorCode;
  readonly phase: RoutePhase;
  /** The route's name in the manifest ('' for a bare condition). */
  readonly routeName: string;
  /** The whole text the span points into: the route, or the bare condition. */
  readonly text: string;
  readonly span: TextSpan;
  /** The cause, in words a user can act on. */
  readonly detail: string;
  /** `warning` only in reference mode (`strict: false`), for what strict mode refuses. */
  readonly severity?: 'error' | 'warning';
}

export class RouteError extends Error {
  override readonly name = 'RouteError';
  readonly code: RouteErrorCode;
  readonly phase: RoutePhase;
  readonly severity: 'error' | 'warning';
  readonly routeName: string;
  readonly text: string;
  readonly offset: number;
  readonly length: number;
  /** 1-based line of `offset` in `text`. */
  readonly line: number;
  /** 1-based column of `offset` in its line. */
  readonly column: number;
  readonly detail: string;

  constructor(init: RouteErrorInit) {
    const { line, column } = lineAndColumn(init.text, init.span.offset);
    const where = line > 1 ? `line ${line}, column ${column}` : `column ${column}`;
    const who = init.routeName === '' ? 'condition' : `route "${init.routeName}"`;
    super(`${who}, ${where}: ${init.detail}`);
    this.code = init.code;
    this.phase = init.phase;
    this.severity = init.severity ?? 'error';
    this.routeName = init.routeName;
    this.text = init.text;
    this.offset = init.span.offset;
    this.length = init.span.length;
    this.line = line;
    this.column = column;
    this.detail = init.detail;
  }

  /** The same finding with another severity (strict mode turns warnings into errors and back). */
  withSeverity(severity: 'error' | 'warning'): RouteError {
    return new RouteError({ ...this.init(), severity });
  }

  /** The same finding attributed to a route (a condition checked on its own has no name). */
  forRoute(routeName: string, text: string, shift: number): RouteError {
    return new RouteError({
      ...this.init(),
      routeName,
      text,
      span: { offset: this.offset + shift, length: this.length },
    });
  }

  /** Message, then the offending line with a caret under the column: what `edgehub routes check` prints. */
  render(): string {
    return `${this.message} [${this.code}]\n${renderCaret(this.text, this.offset, this.length)}`;
  }

  private init(): RouteErrorInit {
    return {
      code: this.code,
      phase: this.phase,
      severity: this.severity,
      routeName: this.routeName,
      text: this.text,
      span: { offset: this.offset, length: this.length },
      detail: this.detail,
    };
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * Two lines: the line of `text` holding `offset`, and `^` under it followed by `~` for the rest of the span.
 * Tabs in the text are kept in the caret line so the caret stays aligned in a terminal.
 */
export function renderCaret(text: string, offset: number, length = 1, indent = '  '): string {
  const at = Math.max(0, Math.min(offset, text.length));
  const start = text.lastIndexOf('\n', at - 1) + 1;
  let end = text.indexOf('\n', at);
  if (end === -1) end = text.length;
  const lineText = text.slice(start, end).replace(/\r$/, '');
  let pad = '';
  for (let i = start; i < at; i++) pad += text[i] === '\t' ? '\t' : ' ';
  const width = Math.max(1, Math.min(length, lineText.length - (at - start)));
  return `${indent}${lineText}\n${indent}${pad}^${'~'.repeat(width - 1)}`;
}
