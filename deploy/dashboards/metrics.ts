// The metrics the dashboard may query: the hub's (broker/metrics/hub-metrics.ts) and the prom-client process
// defaults it uses. dashboard.test.ts checks every panel query against this list, and this list against the
// hub's real registry, so a renamed metric breaks a test, not a dashboard.

type MetricType = 'counter' | 'gauge' | 'summary' | 'histogram';

export interface MetricSpec {
  readonly type: MetricType;
  /** Labels of its own, besides COMMON_LABELS (and `quantile` / `le` for summaries / histograms). */
  readonly labels: readonly string[];
}

/** Every hub metric carries these (the registry's default labels). */
export const COMMON_LABELS = ['iothub', 'edge_device', 'instance_number'] as const;

const m = (type: MetricType, ...labels: string[]): MetricSpec => ({ type, labels });

export const HUB_METRICS = {
  edgehub_messages_received_total: m('counter', 'id', 'route_output'),
  edgehub_messages_sent_total: m('counter', 'from', 'to', 'from_route_output', 'to_route_input', 'priority'),
  edgehub_messages_dropped_total: m('counter', 'reason', 'from', 'from_route_output'),
  edgehub_messages_unack_total: m('counter', 'reason'),
  edgehub_client_connect_failed_total: m('counter', 'id', 'reason'),
  edgehub_client_connect_success_total: m('counter', 'id'),
  edgehub_client_disconnect_total: m('counter', 'id'),
  edgehub_config_reloads_total: m('counter', 'result'),
  edgehub_label_values_folded_total: m('counter', 'label', 'reason'),
  edgehub_queue_length: m('gauge', 'endpoint', 'priority'),
  edgehub_connected_clients: m('gauge'),
  edgehub_store_size_bytes: m('gauge'),
  edgehub_store_checkpoints_total: m('counter', 'thread'),
  edgehub_store_write_holds_total: m('counter'),
  edgehub_store_write_hold_seconds_total: m('counter'),
  edgehub_store_write_hold_timeouts_total: m('counter'),
  edgehub_message_size_bytes: m('summary', 'id'),
  edgehub_message_send_duration_seconds: m('summary', 'from', 'to', 'from_route_output', 'to_route_input'),
  edgehub_message_process_duration_seconds: m('summary', 'from', 'to', 'priority'),
  edgehub_store_commit_batch_size: m('histogram'),
  edgehub_store_commit_duration_seconds: m('histogram'),
  edgehub_route_evaluation_duration_seconds: m('histogram'),
  edgehub_gettwin_total: m('counter', 'source', 'id'),
  edgehub_reported_properties_total: m('counter', 'target', 'id'),
  edgehub_direct_methods_total: m('counter', 'from', 'to'),
  edgehub_direct_method_duration_seconds: m('summary', 'from', 'to'),
} as const satisfies Record<string, MetricSpec>;

/** prom-client's default metrics the dashboard uses (the hub registers them with the common labels). */
const PROCESS_METRICS = {
  process_resident_memory_bytes: m('gauge'),
  process_cpu_seconds_total: m('counter'),
  nodejs_heap_size_used_bytes: m('gauge'),
  nodejs_eventloop_lag_seconds: m('gauge'),
  nodejs_eventloop_lag_p99_seconds: m('gauge'),
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof HUB_METRICS | keyof typeof PROCESS_METRICS;

export const DASHBOARD_METRICS: Readonly<Record<MetricName, MetricSpec>> = { ...HUB_METRICS, ...PROCESS_METRICS };

/** The series names a metric exposes: histograms and summaries add `_sum` and `_count` (and `_bucket`). */
export function seriesNames(name: string, spec: MetricSpec): string[] {
  if (spec.type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (spec.type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}
