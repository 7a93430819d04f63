// The agent's Prometheus metrics, on their own registry (so tests and several agents in one process never
// share counters). Names follow edgehub_<area>_<what>_<unit>.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class AgentMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'edgehub_agent_reconciles_total',
    help: 'Reconciles by result: applied, invalid, duplicate, gone or error.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'edgehub_agent_reconcile_errors_total',
    help: 'Failed reconciles by error code.',
    labelNames: ['code', 'retryable'] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'edgehub_agent_reconcile_duration_seconds',
    help: 'Time of one reconcile, read to status written.',
    labelNames: ['result'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly objectsApplied = new Counter({
    name: 'edgehub_agent_objects_applied_total',
    help: 'Objects sent with server-side apply, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly objectsPruned = new Counter({
    name: 'edgehub_agent_objects_pruned_total',
    help: 'Objects deleted because they were no longer planned, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly watchRestarts = new Counter({
    name: 'edgehub_agent_watch_restarts_total',
    help: 'Watches restarted after an error, a stall or 410 Gone, by resource and reason.',
    labelNames: ['resource', 'reason'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'edgehub_agent_leader',
    help: '1 while this replica holds the leader lease.',
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'edgehub_agent_queue_depth',
    help: 'EdgeDeployments waiting to be reconciled.',
    registers: [this.registry],
  });

  /** Process metrics (CPU, memory, event loop); only for the real agent process. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'edgehub_agent_' });
  }
}
