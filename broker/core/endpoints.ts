// The endpoints of the hub (module inputs, `$upstream`) and their dispatchers. Routes name endpoints; queues
// outlive routes: an endpoint that a new configuration no longer routes to keeps draining (or expiring) what it
// has, and is forgotten once its queues are empty.
import type { RouteTable, Sink } from '../../routing/index.js';
import type { GroupCommit } from './commit.js';
import {
  DEFAULT_DISPATCHER_OPTIONS,
  Dispatcher,
  type DeliveryTarget,
  type DispatcherHooks,
  type DispatcherOptions,
} from './dispatcher.js';
import type { Append, MessageStore } from './ports.js';

/** Parses an endpoint id back into its sink: "$upstream" or "{moduleId}/{input}". */
export function sinkOfEndpointId(endpointId: string): Sink | undefined {
  if (endpointId === '$upstream') return { kind: 'upstream' };
  const slash = endpointId.indexOf('/');
  if (slash <= 0 || slash === endpointId.length - 1) return undefined;
  return { kind: 'module', moduleId: endpointId.slice(0, slash), input: endpointId.slice(slash + 1) };
}

export class Endpoints {
  private readonly dispatchers = new Map<string, Dispatcher>();
  /** Connected modules that take input messages, by module id. */
  private readonly moduleTargets = new Map<string, DeliveryTarget>();
  /** The upstream link while it is connected (broker/upstream/). */
  private upstreamTarget: DeliveryTarget | undefined;
  private routed = new Set<string>();

  constructor(
    private readonly store: MessageStore,
    private readonly commit: GroupCommit,
    private readonly hooks: DispatcherHooks = {},
    private readonly opts: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS,
  ) {
    // Resume what an earlier run stored: every non-empty queue gets its dispatcher back.
    for (const q of store.queues()) this.dispatcher(q.endpointId)?.restore(q.priority, q.count);
  }

  private dispatcher(endpointId: string): Dispatcher | undefined {
    let d = this.dispatchers.get(endpointId);
    if (d) return d;
    const sink = sinkOfEndpointId(endpointId);
    if (!sink) return undefined;
    d = new Dispatcher(endpointId, sink, this.store, this.commit, this.hooks, this.opts);
    this.dispatchers.set(endpointId, d);
    if (sink.kind === 'module') {
      const target = this.moduleTargets.get(sink.moduleId);
      if (target) d.attach(target);
    } else if (this.upstreamTarget) d.attach(this.upstreamTarget);
    return d;
  }

  /** A new route table: its endpoints get dispatchers; unrouted endpoints with empty queues are forgotten. */
  applyRoutes(table: RouteTable): void {
    this.routed = new Set(table.endpoints.map((e) => e.endpointId));
    for (const id of this.routed) this.dispatcher(id);
    this.forgetIdle();
  }

  private forgetIdle(): void {
    for (const [id, d] of this.dispatchers) {
      if (!this.routed.has(id) && d.length === 0) this.dispatchers.delete(id);
    }
  }

  /** Hands committed entries to their dispatchers. */
  dispatch(appends: readonly Append[]): void {
    for (const a of appends) {
      for (const e of a.entries) this.dispatcher(e.endpointId)?.appended(e);
    }
  }

  /** A module connected and subscribed to its inputs: it receives every input routed to it. */
  attachModule(moduleId: string, target: DeliveryTarget): void {
    this.moduleTargets.set(moduleId, target);
    for (const d of this.dispatchers.values()) {
      if (d.sink.kind === 'module' && d.sink.moduleId === moduleId) d.attach(target);
    }
  }

  detachModule(moduleId: string, target: DeliveryTarget): void {
    if (this.moduleTargets.get(moduleId) !== target) return;
    this.moduleTargets.delete(moduleId);
    for (const d of this.dispatchers.values()) {
      if (d.sink.kind === 'module' && d.sink.moduleId === moduleId) d.detach(target);
    }
  }

  /** The upstream connection is up: `$upstream` delivers to it (now, and when its dispatcher is made later). */
  attachUpstream(target: DeliveryTarget): void {
    this.upstreamTarget = target;
    this.dispatchers.get('$upstream')?.attach(target);
  }

  detachUpstream(target: DeliveryTarget): void {
    if (this.upstreamTarget !== target) return;
    this.upstreamTarget = undefined;
    this.dispatchers.get('$upstream')?.detach(target);
  }

  /** Drops expired entries of offline endpoints, `budget` rows at most per call over all endpoints. */
  sweepExpired(budget: number): number {
    let dropped = 0;
    for (const d of this.dispatchers.values()) {
      if (budget <= 0) break;
      const r = d.sweepExpired(budget);
      dropped += r.dropped;
      budget -= r.scanned;
    }
    this.forgetIdle();
    return dropped;
  }

  /** Queue lengths per endpoint and priority (metrics, status). */
  lengths(): { endpointId: string; priority: number; length: number }[] {
    const out = [];
    for (const d of this.dispatchers.values()) {
      for (const l of d.lengths()) out.push({ endpointId: d.endpointId, ...l });
    }
    return out;
  }

  get(endpointId: string): Dispatcher | undefined {
    return this.dispatchers.get(endpointId);
  }
}
