// The route table: built once per configuration, immutable, swapped whole by the hub. For a message it
// returns one match per endpoint, from the route with the numerically lowest priority (reference §1.4,
// §3.2; on a tie, the route listed first). Only routes whose source can match are tested: candidate
// lists are precomputed for leaf telemetry and twin notifications and memoised per (module, output).
import { EvalContext } from './context.js';
import { compileList, type ListEvaluator, type Predicate } from './compile.js';
import type { RouteError } from './errors.js';
import { isTwinChangeNotification, type RoutableMessage } from './message.js';
import { compileRoute, type CompiledRoute, type CompileOptions, type EndpointMatch, type RouteSpec } from './route.js';
import type { Sink } from './statement.js';

interface Candidate {
  readonly route: CompiledRoute;
  readonly test: Predicate | undefined;
  readonly match: EndpointMatch;
  /** Index into the table's endpoints. */
  readonly endpoint: number;
}
/** The routes that can take messages of one source, best priority first, and their compiled evaluator. */
interface Candidates {
  readonly list: readonly Candidate[];
  /** Which routes, as route indexes: lists of the same routes share one evaluator. */
  readonly key: string;
  run: ListEvaluator | undefined;
}

interface ModuleCandidates {
  readonly withoutOutput: Candidates;
  readonly byOutput: Map<string, Candidates>;
}

/** Past this many memoised (module, output) lists the memo starts over: output names come from clients. */
export const MAX_MEMOISED_SOURCES = 4096;
/** Past this many compiled candidate evaluators the cache starts over (one per distinct route set: rare). */
const MAX_EVALUATORS = 512;

function present(v: string | undefined): v is string {
  return v !== undefined && v !== null && v !== '';
}

export class RouteTable {
  static readonly empty: RouteTable = new RouteTable([]);

  /** Compiles every route; with any error, the table is not built and every error is returned. */
  static build(
    specs: readonly RouteSpec[],
    options: CompileOptions = {},
  ): { ok: true; table: RouteTable } | { ok: false; errors: RouteError[] } {
    const routes: CompiledRoute[] = [];
    const errors: RouteError[] = [];
    for (const spec of specs) {
      const r = compileRoute(spec, options);
      if (r.ok) routes.push(r.route);
      else errors.push(r.error);
    }
    return errors.length > 0
      ? { ok: false, errors }
      : { ok: true, table: new RouteTable(routes, options.interpreted === true) };
  }

  readonly routes: readonly CompiledRoute[];
  /** Every endpoint any route can deliver to (for the hub's dispatchers and metrics), in route order. */
  readonly endpoints: readonly { readonly endpointId: string; readonly sink: Sink }[];
  /** What the routes' compilation found but did not refuse (reference mode only). */
  readonly warnings: readonly RouteError[];

  private readonly leaf: Candidates;
  private readonly twin: Candidates;
  private readonly modules = new Map<string, ModuleCandidates>();
  private memoised = 0;
  /** Reused by every evaluation (evaluate is synchronous and predicates never call out). */
  private readonly body = new EvalContext();
  /** stamps[endpoint] === generation: that endpoint already has its match for the current message. */
  private readonly stamps: Int32Array;
  private generation = 0;
  private readonly endpointIndex = new Map<string, number>();
  private readonly evaluators = new Map<string, ListEvaluator>();

  private constructor(
    routes: CompiledRoute[],
    /** Loop over each route's own (interpreted) predicate instead of compiled candidate lists. */
    private readonly interpreted = false,
  ) {
    this.routes = Object.freeze(routes);
    const endpoints: { endpointId: string; sink: Sink }[] = [];
    for (const r of routes) {
      if (!this.endpointIndex.has(r.endpointId)) {
        this.endpointIndex.set(r.endpointId, endpoints.length);
        endpoints.push(Object.freeze({ endpointId: r.endpointId, sink: r.sink }));
      }
    }
    this.endpoints = Object.freeze(endpoints);
    this.warnings = Object.freeze(routes.flatMap((r) => r.warnings));
    this.stamps = new Int32Array(endpoints.length);
    this.leaf = this.select('/messages/');
    this.twin = this.select('/twinchangenotifications/');
  }

  /** The routes whose source prefix the (lower-cased) message source starts with, best priority first. */
  private select(foldedSource: string): Candidates {
    const picked = this.routes
      .map((route, order) => ({ route, order }))
      .filter(({ route }) => foldedSource.startsWith(route.source.folded))
      .sort((a, b) => a.route.priority - b.route.priority || a.order - b.order);
    const list = picked.map(({ route }) => ({
      route,
      test: route.predicate,
      match: route.match,
      endpoint: this.endpointIndex.get(route.endpointId)!,
    }));
    return { list, key: picked.map((p) => p.order).join(','), run: undefined };
  }

  /** The list's evaluator, compiled on first use and shared by every list of the same routes. */
  private evaluator(c: Candidates): ListEvaluator {
    let run = this.evaluators.get(c.key);
    if (run === undefined) {
      if (this.evaluators.size >= MAX_EVALUATORS) this.evaluators.clear();
      run = compileList(
        c.list.map((x) => ({
          ir: x.test === undefined ? undefined : x.route.ir,
          match: x.match,
          endpoint: x.endpoint,
        })),
      );
      this.evaluators.set(c.key, run);
    }
    c.run = run;
    return run;
  }

  private remember(): void {
    if (++this.memoised > MAX_MEMOISED_SOURCES) {
      this.modules.clear();
      this.memoised = 1;
    }
  }

  private candidates(m: RoutableMessage): Candidates {
    if (isTwinChangeNotification(m)) return this.twin;
    const moduleId = m.systemProperties.connectionModuleId;
    if (!present(moduleId)) return this.leaf;
    let mod = this.modules.get(moduleId);
    if (mod === undefined) {
      this.remember();
      mod = { withoutOutput: this.select(`/messages/modules/${moduleId}/`.toLowerCase()), byOutput: new Map() };
      this.modules.set(moduleId, mod);
    }
    const output = m.systemProperties.outputName;
    if (!present(output)) return mod.withoutOutput;
    let list = mod.byOutput.get(output);
    if (list === undefined) {
      this.remember();
      list = this.select(`/messages/modules/${moduleId}/outputs/${output}/`.toLowerCase());
      mod.byOutput.set(output, list);
    }
    return list;
  }

  /**
   * Endpoints this message goes to, one entry per endpoint, best priority first. Writes into `out` (cleared
   * first) if given. The entries are the routes' own frozen EndpointMatch objects: nothing is allocated.
   */
  evaluate(message: RoutableMessage, out: EndpointMatch[] = []): EndpointMatch[] {
    if (out.length !== 0) out.length = 0;
    const candidates = this.candidates(message);
    const list = candidates.list;
    if (list.length === 0) return out;
    const body = this.body;
    body.reset(message);
    if (!this.interpreted) {
      (candidates.run ?? this.evaluator(candidates))(message, body, out);
      body.reset(undefined);
      return out;
    }
    if (this.generation === 0x7fffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    const generation = ++this.generation;
    const stamps = this.stamps;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      // Lists are sorted best first: once an endpoint has a match, its later routes cannot win.
      if (stamps[c.endpoint] === generation) continue;
      if (c.test !== undefined && c.test(message, body) !== true) continue;
      stamps[c.endpoint] = generation;
      out.push(c.match);
    }
    body.reset(undefined);
    return out;
  }
}
