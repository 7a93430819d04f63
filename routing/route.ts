// One route from text to something the table can run: parse the statement, type the condition, generate
// its predicate. Problems come back as RouteError values; nothing here throws for bad route text.
import { EvalContext } from './context.js';
import { compilePredicate, type Predicate } from './compile.js';
import { RouteError, type Finding } from './errors.js';
import { interpretedPredicate } from './interpret.js';
import { readsBody, type Ir } from './ir.js';
import { foldedSourceOf, type RoutableMessage } from './message.js';
import { parseCondition } from './parser.js';
import { findPitfalls } from './pitfalls.js';
import { endpointIdOf, parseRoute, type Sink, type Source } from './statement.js';
import { typecheck } from './typecheck.js';
import type { Tri } from './values.js';

/** The priority of a route that sets none: lower than any explicit 0–9 (reference §3.1). */
export const DEFAULT_PRIORITY = 2_000_000_000;

export interface RouteSpec {
  readonly name: string;
  readonly route: string;
  /** 0 (highest) and up; absent means DEFAULT_PRIORITY. */
  readonly priority?: number;
  /** Seconds; absent or 0 means the store-and-forward TTL. */
  readonly timeToLiveSecs?: number;
}

export interface EndpointMatch {
  readonly endpointId: string;
  readonly sink: Sink;
  readonly priority: number;
  /** undefined = use the store-and-forward TTL. */
  readonly timeToLiveSecs: number | undefined;
  readonly routeName: string;
}

export interface CompileOptions {
  /**
   * true (default): refuse what the reference router accepts silently but never does what it says (a source
   * that matches nothing, text after the sink, `TRUE`, `key1!='x'`…). false reproduces the reference: those
   * routes compile and the findings are listed in `warnings`.
   */
  readonly strict?: boolean;
  /** Evaluate with the tree-walking interpreter instead of generated code (benchmarks, tests). */
  readonly interpreted?: boolean;
}

/** What a condition does, however it was written: a predicate plus what the table needs to know about it. */
export interface CompiledCondition {
  readonly text: string;
  readonly ir: Ir;
  readonly readsBody: boolean;
  /** Findings strict mode would refuse; empty in strict mode. */
  readonly warnings: readonly RouteError[];
  /** undefined: always true (no WHERE, or WHERE true). */
  readonly predicate: Predicate | undefined;
  /** The three-valued result for one message: only true routes it. */
  test(message: RoutableMessage): Tri;
}

export interface CompiledRoute extends Omit<CompiledCondition, 'text'> {
  readonly name: string;
  readonly text: string;
  /** The condition's text, absent without WHERE. */
  readonly condition: string | undefined;
  readonly source: Source;
  readonly sink: Sink;
  readonly endpointId: string;
  readonly priority: number;
  readonly timeToLiveSecs: number | undefined;
  /** The immutable answer the table returns when this route wins its endpoint. */
  readonly match: EndpointMatch;
  sourceMatches(message: RoutableMessage): boolean;
  /** Source and condition: does this route, alone, take the message? */
  matches(message: RoutableMessage): boolean;
}

function predicateOf(ir: Ir, options: CompileOptions): Predicate | undefined {
  if (ir.op === 'const' && ir.value === true) return undefined;
  return options.interpreted ? interpretedPredicate(ir) : compilePredicate(ir);
}

function testWith(predicate: Predicate | undefined): (m: RoutableMessage) => Tri {
  return (m) => {
    if (predicate === undefined) return true;
    const body = new EvalContext();
    body.reset(m);
    return predicate(m, body);
  };
}

function byOffset(a: Finding, b: Finding): number {
  return a.span.offset - b.span.offset;
}

type Settled = { ok: true; ir: Ir; warnings: RouteError[] } | { ok: false; error: RouteError };

/** Strict findings are parse-phase, so they come before type errors; in reference mode they become warnings. */
function settle(
  strict: Finding[],
  typed: { ok: true; ir: Ir } | { ok: false; finding: Finding },
  name: string,
  text: string,
  options: CompileOptions,
): Settled {
  const toError = (f: Finding, severity: 'error' | 'warning' = 'error'): RouteError =>
    new RouteError({ ...f, routeName: name, text, severity });
  strict.sort(byOffset);
  if (options.strict !== false && strict.length > 0) return { ok: false, error: toError(strict[0]!) };
  if (!typed.ok) return { ok: false, error: toError(typed.finding) };
  return { ok: true, ir: typed.ir, warnings: strict.map((f) => toError(f, 'warning')) };
}

function checkSpec(spec: RouteSpec): void {
  const { priority, timeToLiveSecs } = spec;
  if (priority !== undefined && !(Number.isInteger(priority) && priority >= 0)) {
    throw new RangeError(`route "${spec.name}": priority must be a whole number ≥ 0, got ${priority}`);
  }
  if (timeToLiveSecs !== undefined && !(Number.isInteger(timeToLiveSecs) && timeToLiveSecs >= 0)) {
    throw new RangeError(`route "${spec.name}": timeToLiveSecs must be a whole number ≥ 0, got ${timeToLiveSecs}`);
  }
}

/** Compiles one route. A spec with a negative or fractional priority or TTL is a caller bug and throws. */
export function compileRoute(
  spec: RouteSpec,
  options: CompileOptions = {},
): { ok: true; route: CompiledRoute } | { ok: false; error: RouteError } {
  checkSpec(spec);
  const text = spec.route;
  const parsed = parseRoute(text);
  if (!parsed.ok) return { ok: false, error: new RouteError({ ...parsed.finding, routeName: spec.name, text }) };
  const st = parsed.value;
  const strict = [...st.strict, ...findPitfalls(st.condition?.expr)];
  const typed = st.condition
    ? typecheck(st.condition.expr)
    : { ok: true as const, ir: { op: 'const', type: 'bool', value: true } as Ir };
  const result = settle(strict, typed, spec.name, text, options);
  if (!result.ok) return result;
  const ir = result.ir;
  const sink = st.sink;
  const endpointId = endpointIdOf(sink);
  const priority = spec.priority ?? DEFAULT_PRIORITY;
  const timeToLiveSecs = spec.timeToLiveSecs === 0 ? undefined : spec.timeToLiveSecs;
  const predicate = predicateOf(ir, options);
  const test = testWith(predicate);
  const source = st.source;
  const condition = st.condition
    ? text.slice(st.condition.span.offset, st.condition.span.offset + st.condition.span.length)
    : undefined;
  const route: CompiledRoute = {
    name: spec.name,
    text,
    condition,
    source,
    sink,
    endpointId,
    priority,
    timeToLiveSecs,
    ir,
    readsBody: readsBody(ir),
    warnings: result.warnings,
    predicate,
    match: Object.freeze({ endpointId, sink: Object.freeze(sink), priority, timeToLiveSecs, routeName: spec.name }),
    test,
    sourceMatches: (m) => foldedSourceOf(m).startsWith(source.folded),
    matches: (m) => foldedSourceOf(m).startsWith(source.folded) && test(m) === true,
  };
  return { ok: true, route: Object.freeze(route) };
}

/**
 * Compiles a condition on its own, as the reference's RouteCompiler does (the `routes eval` tool and
 * tests): an empty condition is allowed and never true; text after the condition is an error (the
 * reference ignores it when the condition stands alone, and refuses it inside a route).
 */
export function compileCondition(
  text: string,
  options: CompileOptions = {},
): { ok: true; condition: CompiledCondition } | { ok: false; error: RouteError } {
  const parsed = parseCondition(text);
  if (!parsed.ok) return { ok: false, error: new RouteError({ ...parsed.finding, routeName: '', text }) };
  const result = settle(findPitfalls(parsed.value), typecheck(parsed.value), '', text, options);
  if (!result.ok) return result;
  const ir = result.ir;
  const predicate = predicateOf(ir, options);
  const condition: CompiledCondition = {
    text,
    ir,
    readsBody: readsBody(ir),
    warnings: result.warnings,
    predicate,
    test: testWith(predicate),
  };
  return { ok: true, condition: Object.freeze(condition) };
}
