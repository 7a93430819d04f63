// The Grafana dashboard of the hub: throughput, queues and drops, latency, connections, the store and the
// process, per edge device. deploy/dashboards/edgehub.json is this object (deploy/generate.ts writes it), and
// the monitoring component ships it as a ConfigMap for Grafana's dashboard sidecar.
// Queries name metrics only as a `MetricName` (a key of DASHBOARD_METRICS, ./metrics.ts), so the compiler
// refuses any other; dashboard.test.ts re-reads every expression of the generated JSON and checks each metric
// and label against that list.
import type { MetricName } from './metrics.js';

export const DASHBOARD_UID = 'edgehub-hub';
export const DASHBOARD_FILE = 'edgehub.json';

interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

interface Target {
  refId: string;
  expr: string;
  legendFormat: string;
  datasource: typeof DATASOURCE;
}

interface Panel {
  id: number;
  type: 'row' | 'timeseries' | 'stat';
  title: string;
  gridPos: GridPos;
  description?: string;
  collapsed?: boolean;
  panels?: Panel[];
  datasource?: typeof DATASOURCE;
  targets?: Target[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: string;
  editable: boolean;
  graphTooltip: number;
  refresh: string;
  schemaVersion: number;
  version: number;
  time: { from: string; to: string };
  annotations: { list: unknown[] };
  links: unknown[];
  templating: { list: Record<string, unknown>[] };
  panels: Panel[];
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
/** Every query selects the devices picked in the `edge_device` variable. */
const DEVICES = 'edge_device=~"$edge_device"';
const RANGE = '[$__rate_interval]';
/** Grafana has no messages-per-second unit; a custom suffix it is. */
const MSG_RATE = 'suffix: msg/s';

type Suffix = '' | '_sum' | '_count' | '_bucket';

function series(metric: MetricName, suffix: Suffix = '', matchers: string[] = []): string {
  return `${metric}${suffix}{${[DEVICES, ...matchers].join(', ')}}`;
}

/** A gauge summed (or its maximum taken) by `by`. */
function aggregate(op: 'sum' | 'max', metric: MetricName, by: string): string {
  return `${op} by (${by}) (${series(metric)})`;
}

/** Per-second rate of a counter (or of a summary's or histogram's _sum/_count), summed by `by`. */
function rate(metric: MetricName, by: string, suffix: Suffix = '', matchers: string[] = []): string {
  return `sum by (${by}) (rate(${series(metric, suffix, matchers)}${RANGE}))`;
}

/** A summary's quantile, worst instance per group (each hub computes its own quantiles). */
function quantile(metric: MetricName, q: string, by: string): string {
  return `max by (${by}) (${series(metric, '', [`quantile="${q}"`])})`;
}

/** Mean of a summary or histogram over the rate interval: rate(_sum) / rate(_count). */
function mean(metric: MetricName, by: string): string {
  return `${rate(metric, by, '_sum')} / ${rate(metric, by, '_count')}`;
}

function histogramQuantile(metric: MetricName, q: number, by: string): string {
  return `histogram_quantile(${q}, ${rate(metric, `${by}, le`, '_bucket')})`;
}

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  targets: [expr: string, legend: string][];
  /** Grid width (of 24); default 12. */
  w?: number;
  bars?: boolean;
  /** Values below zero are meaningful (the y axis does not start at 0). */
  signed?: boolean;
}

type Item = { row: string } | ({ stat: true } & PanelSpec) | PanelSpec;

const sum = (metric: MetricName) => `sum(${series(metric)})`;
const sumRate = (metric: MetricName) => `sum(rate(${series(metric)}${RANGE}))`;

/** A single-number panel of the overview row. */
function stat(title: string, description: string, unit: string, expr: string): Item {
  return { stat: true, title, description, unit, w: 4, targets: [[expr, title]] };
}

const ITEMS: Item[] = [
  { row: 'Overview' },
  stat('Connected clients', 'Modules connected to the hubs now.', 'short', sum('edgehub_connected_clients')),
  stat('Received', 'Messages accepted from modules per second.', MSG_RATE, sumRate('edgehub_messages_received_total')),
  stat(
    'Delivered',
    'Messages delivered and acknowledged per second.',
    MSG_RATE,
    sumRate('edgehub_messages_sent_total'),
  ),
  stat(
    'Dropped',
    'Messages dropped per second (no route, TTL expiry, oversize).',
    MSG_RATE,
    sumRate('edgehub_messages_dropped_total'),
  ),
  stat('Queued', 'Messages waiting in the endpoint queues.', 'short', sum('edgehub_queue_length')),
  stat(
    'Store size',
    'Bytes the stores use on disk (database and write-ahead log).',
    'bytes',
    sum('edgehub_store_size_bytes'),
  ),

  { row: 'Throughput' },
  {
    title: 'Received by module',
    description: 'Messages accepted per second, by sending module (id) and output.',
    unit: MSG_RATE,
    targets: [
      [
        rate('edgehub_messages_received_total', 'edge_device, id, route_output'),
        '{{edge_device}} {{id}}/{{route_output}}',
      ],
    ],
  },
  {
    title: 'Delivered by route',
    description: 'Messages delivered to an endpoint and acknowledged by it, per second, by source and target.',
    unit: MSG_RATE,
    targets: [[rate('edgehub_messages_sent_total', 'edge_device, from, to'), '{{edge_device}} {{from}} → {{to}}']],
  },
  {
    title: 'Delivered by priority',
    description: 'Deliveries per second by route priority (0 is the highest).',
    unit: MSG_RATE,
    targets: [[rate('edgehub_messages_sent_total', 'edge_device, priority'), '{{edge_device}} priority {{priority}}']],
  },
  {
    title: 'Message size',
    description: 'Size of received messages (properties and body), by sending module: median and 99th percentile.',
    unit: 'bytes',
    targets: [
      [quantile('edgehub_message_size_bytes', '0.5', 'edge_device, id'), '{{edge_device}} {{id}} p50'],
      [quantile('edgehub_message_size_bytes', '0.99', 'edge_device, id'), '{{edge_device}} {{id}} p99'],
    ],
  },

  { row: 'Queues and drops' },
  {
    title: 'Queue length',
    description: 'Messages waiting per endpoint (a module input or $upstream) and priority.',
    unit: 'short',
    targets: [
      [
        aggregate('sum', 'edgehub_queue_length', 'edge_device, endpoint, priority'),
        '{{edge_device}} {{endpoint}} p{{priority}}',
      ],
    ],
  },
  {
    title: 'Dropped by reason',
    description:
      'no_route: no route matched; ttl_expiry: waited longer than its time to live; oversize: too large; ' +
      'undeliverable: can never be sent to an endpoint (refused at ingest); delivery_failed: its delivery failed. ' +
      'Also: messages whose output label was folded into _other.',
    unit: MSG_RATE,
    bars: true,
    targets: [
      [rate('edgehub_messages_dropped_total', 'edge_device, reason, from'), '{{edge_device}} {{reason}} ({{from}})'],
      [
        rate('edgehub_label_values_folded_total', 'edge_device, reason'),
        '{{edge_device}} output label folded ({{reason}})',
      ],
    ],
  },
  {
    title: 'Not acknowledged to senders',
    description: 'Messages refused to their sender (for instance when the store failed); the sender retries.',
    unit: MSG_RATE,
    bars: true,
    targets: [[rate('edgehub_messages_unack_total', 'edge_device, reason'), '{{edge_device}} {{reason}}']],
  },
  {
    title: 'Queue growth',
    description:
      'Change of the queue length per second, by endpoint: above zero for long, an endpoint is not keeping up ' +
      '(a module offline, no upstream link).',
    unit: MSG_RATE,
    signed: true,
    targets: [
      [
        `sum by (edge_device, endpoint) (deriv(${series('edgehub_queue_length')}${RANGE}))`,
        '{{edge_device}} {{endpoint}}',
      ],
    ],
  },

  { row: 'Latency' },
  {
    title: 'Send duration by target',
    description: 'From handing a message to a receiver to its acknowledgement: 99th percentile and mean.',
    unit: 's',
    targets: [
      [quantile('edgehub_message_send_duration_seconds', '0.99', 'edge_device, to'), '{{edge_device}} {{to}} p99'],
      [mean('edgehub_message_send_duration_seconds', 'edge_device, to'), '{{edge_device}} {{to}} mean'],
    ],
  },
  {
    title: 'Process duration by priority',
    description: 'From accepting a message to its acknowledged delivery (includes time queued): p50 and p99.',
    unit: 's',
    targets: [
      [
        quantile('edgehub_message_process_duration_seconds', '0.5', 'edge_device, priority'),
        '{{edge_device}} p{{priority}} p50',
      ],
      [
        quantile('edgehub_message_process_duration_seconds', '0.99', 'edge_device, priority'),
        '{{edge_device}} p{{priority}} p99',
      ],
    ],
  },
  {
    title: 'Store commit duration',
    description: 'Duration of store transactions (group commit): an accepted message is acknowledged after its commit.',
    unit: 's',
    w: 8,
    targets: [
      [histogramQuantile('edgehub_store_commit_duration_seconds', 0.5, 'edge_device'), '{{edge_device}} p50'],
      [histogramQuantile('edgehub_store_commit_duration_seconds', 0.99, 'edge_device'), '{{edge_device}} p99'],
    ],
  },
  {
    title: 'Store commit batch size',
    description: 'Messages appended per transaction: larger batches under load are what keep durability cheap.',
    unit: 'short',
    w: 8,
    targets: [
      [mean('edgehub_store_commit_batch_size', 'edge_device'), '{{edge_device}} mean'],
      [histogramQuantile('edgehub_store_commit_batch_size', 0.99, 'edge_device'), '{{edge_device}} p99'],
    ],
  },
  {
    title: 'Route evaluation',
    description: 'Time to evaluate the route table for one message.',
    unit: 's',
    w: 8,
    targets: [
      [histogramQuantile('edgehub_route_evaluation_duration_seconds', 0.99, 'edge_device'), '{{edge_device}} p99'],
    ],
  },

  { row: 'Connections' },
  {
    title: 'Connected clients',
    description: 'Modules connected now, per device.',
    unit: 'short',
    targets: [[aggregate('sum', 'edgehub_connected_clients', 'edge_device'), '{{edge_device}}']],
  },
  {
    title: 'Connects and disconnects',
    description: 'Accepted connections and disconnections per second, by module.',
    unit: 'cps',
    bars: true,
    targets: [
      [rate('edgehub_client_connect_success_total', 'edge_device, id'), '{{edge_device}} {{id}} connect'],
      [rate('edgehub_client_disconnect_total', 'edge_device, id'), '{{edge_device}} {{id}} disconnect'],
    ],
  },
  {
    title: 'Refused connections',
    description: 'Refused connections per second, by identity and reason (bad token, unknown module, …).',
    unit: 'cps',
    bars: true,
    targets: [
      [rate('edgehub_client_connect_failed_total', 'edge_device, id, reason'), '{{edge_device}} {{id}} {{reason}}'],
    ],
  },
  {
    title: 'Configuration reloads',
    description: 'Configuration loads by result: applied, or refused (the previous routes stay).',
    unit: 'short',
    bars: true,
    targets: [
      [
        `sum by (edge_device, result) (increase(${series('edgehub_config_reloads_total')}${RANGE}))`,
        '{{edge_device}} {{result}}',
      ],
    ],
  },
  {
    title: 'Twins',
    description: 'Twin reads and stored reported-property updates per second, by module.',
    unit: 'ops',
    targets: [
      [rate('edgehub_gettwin_total', 'edge_device, id'), '{{edge_device}} {{id}} read'],
      [rate('edgehub_reported_properties_total', 'edge_device, id'), '{{edge_device}} {{id}} reported'],
    ],
  },
  {
    title: 'Direct methods',
    description: 'Method calls per second by caller and target, and p99 time to the answer (or 404/504).',
    unit: 'short',
    targets: [
      [rate('edgehub_direct_methods_total', 'edge_device, from, to'), '{{edge_device}} {{from}} → {{to}} calls/s'],
      [
        quantile('edgehub_direct_method_duration_seconds', '0.99', 'edge_device, from, to'),
        '{{edge_device}} {{from}} → {{to}} p99 s',
      ],
    ],
  },

  { row: 'Process' },
  {
    title: 'Memory',
    description: 'Resident set size and V8 heap in use, per hub.',
    unit: 'bytes',
    w: 8,
    targets: [
      [aggregate('sum', 'process_resident_memory_bytes', 'edge_device'), '{{edge_device}} resident'],
      [aggregate('sum', 'nodejs_heap_size_used_bytes', 'edge_device'), '{{edge_device}} heap used'],
    ],
  },
  {
    title: 'CPU',
    description: 'CPU seconds per second (1 = one core), per hub.',
    unit: 'short',
    w: 8,
    targets: [[rate('process_cpu_seconds_total', 'edge_device'), '{{edge_device}}']],
  },
  {
    title: 'Event loop lag',
    description: 'How late the event loop runs: every message waits this long on top of its own work.',
    unit: 's',
    w: 8,
    targets: [
      [aggregate('max', 'nodejs_eventloop_lag_seconds', 'edge_device'), '{{edge_device}} now'],
      [aggregate('max', 'nodejs_eventloop_lag_p99_seconds', 'edge_device'), '{{edge_device}} p99'],
    ],
  },
  {
    title: 'Store size',
    description: 'Bytes the store uses on disk (database and write-ahead log); compare with the PVC size.',
    unit: 'bytes',
    w: 12,
    targets: [[aggregate('sum', 'edgehub_store_size_bytes', 'edge_device'), '{{edge_device}}']],
  },
  {
    title: 'WAL upkeep',
    description:
      'Checkpoints per second by thread (writer: on the event loop, which should stay near zero), write holds per second (each lets the WAL start over), the share of time commits waited in them, and holds that timed out (a stuck checkpoint worker; should be zero).',
    unit: 'short',
    w: 12,
    targets: [
      [rate('edgehub_store_checkpoints_total', 'edge_device, thread'), '{{edge_device}} checkpoints/s {{thread}}'],
      [rate('edgehub_store_write_holds_total', 'edge_device'), '{{edge_device}} holds/s'],
      [rate('edgehub_store_write_hold_seconds_total', 'edge_device'), '{{edge_device}} held (s/s)'],
      [rate('edgehub_store_write_hold_timeouts_total', 'edge_device'), '{{edge_device}} hold timeouts/s'],
    ],
  },
];

function targets(spec: PanelSpec): Target[] {
  return spec.targets.map(([expr, legendFormat], i) => ({
    refId: String.fromCharCode(65 + i),
    expr,
    legendFormat,
    datasource: DATASOURCE,
  }));
}

function panel(spec: PanelSpec & { stat?: true }, id: number, gridPos: GridPos): Panel {
  const common = {
    id,
    title: spec.title,
    description: spec.description,
    gridPos,
    datasource: DATASOURCE,
    targets: targets(spec),
  };
  if (spec.stat) {
    return {
      ...common,
      type: 'stat',
      fieldConfig: { defaults: { unit: spec.unit, ...(spec.unit === 'short' ? { decimals: 0 } : {}) }, overrides: [] },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'area',
        textMode: 'value',
      },
    };
  }
  return {
    ...common,
    type: 'timeseries',
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.signed ? {} : { min: 0 }),
        custom: {
          drawStyle: spec.bars ? 'bars' : 'line',
          lineWidth: 1,
          fillOpacity: spec.bars ? 80 : 10,
          showPoints: 'never',
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

/** Places rows full width and panels left to right, wrapping at 24 columns. */
function layout(items: readonly Item[]): Panel[] {
  const panels: Panel[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let id = 1;
  for (const item of items) {
    if ('row' in item) {
      y += rowHeight;
      panels.push({
        id: id++,
        type: 'row',
        title: item.row,
        collapsed: false,
        panels: [],
        gridPos: { h: 1, w: 24, x: 0, y },
      });
      y += 1;
      x = 0;
      rowHeight = 0;
      continue;
    }
    const w = item.w ?? 12;
    const h = 'stat' in item ? 4 : 8;
    if (x + w > 24) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    panels.push(panel(item, id++, { h, w, x, y }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return panels;
}

function edgehubDashboard(): Dashboard {
  return {
    uid: DASHBOARD_UID,
    title: 'edgehub',
    description:
      'The edgehub hubs: throughput, queues and drops, latency, connections, store and process, per edge device. ' +
      'Generated from deploy/dashboards/edgehub.ts; do not edit (regenerate: node --import tsx deploy/generate.ts).',
    tags: ['edgehub', 'iot-edge'],
    timezone: 'browser',
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    annotations: { list: [] },
    links: [],
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
          refresh: 1,
          regex: '',
        },
        {
          name: 'edge_device',
          label: 'Edge device',
          type: 'query',
          datasource: DATASOURCE,
          query: { query: 'label_values(edgehub_connected_clients, edge_device)', refId: 'edge_device' },
          definition: 'label_values(edgehub_connected_clients, edge_device)',
          current: {},
          hide: 0,
          refresh: 2,
          includeAll: true,
          allValue: '.*',
          multi: true,
          sort: 1,
          regex: '',
        },
      ],
    },
    panels: layout(ITEMS),
  };
}

/** The dashboard file: pretty JSON, one trailing newline. */
export function dashboardJson(): string {
  return JSON.stringify(edgehubDashboard(), null, 2) + '\n';
}
