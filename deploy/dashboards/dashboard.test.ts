// The Grafana dashboard: the generated JSON parses and has the schema basics (uid, variables, panels on the
// grid); every query names only metrics of ./metrics.ts, with labels those metrics have; and that list is
// checked against the hub's real metrics registry (broker/metrics/hub-metrics.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NO_WAL_STATS } from '../../broker/store/checkpointer.js';
import { HubMetrics } from '../../broker/metrics/hub-metrics.js';
import { DASHBOARD_UID, type Dashboard } from './edgehub.js';
import { COMMON_LABELS, DASHBOARD_METRICS, HUB_METRICS, seriesNames, type MetricSpec } from './metrics.js';

const dashboard = JSON.parse(readFileSync(new URL('./edgehub.json', import.meta.url), 'utf8')) as Dashboard;
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Series name → the metric it belongs to and the labels it may carry. */
const SERIES = new Map<string, { metric: string; labels: Set<string> }>();
for (const [metric, spec] of Object.entries<MetricSpec>(DASHBOARD_METRICS)) {
  for (const name of seriesNames(metric, spec)) {
    const labels = new Set<string>([...COMMON_LABELS, ...spec.labels]);
    if (name.endsWith('_bucket')) labels.add('le');
    if (spec.type === 'summary' && name === metric) labels.add('quantile');
    SERIES.set(name, { metric, labels });
  }
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset']);
const KEYWORDS_OPS = new Set(['and', 'or', 'unless']);

/** The metric names, label matchers and grouping labels of a PromQL expression (the subset we write). */
function parsePromQl(expr: string) {
  const selectors = [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)].map((m) => ({
    name: m[1]!,
    matchers: m[2]!
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"[^"]*"$/.exec(s)?.[1] ?? `(bad matcher: ${s})`),
  }));
  const grouping = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!.split(',').map((s) => s.trim()),
  );
  const stripped = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without)\s*\([^)]*\)/g, '');
  const names = [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\()?)/g)]
    .filter((m) => m[1] === undefined) // followed by "(": a function
    .map((m) => m[0])
    .filter((n) => !KEYWORDS.has(n) && !KEYWORDS_OPS.has(n));
  return { selectors, grouping, names };
}

/** Why a query would not work against the hub's metrics; empty when it would. */
function queryProblems(expr: string): string[] {
  const q = parsePromQl(expr);
  if (q.names.length === 0) return ['no metric'];
  const problems: string[] = [];
  const labels = new Set<string>();
  for (const name of q.names) {
    const series = SERIES.get(name);
    if (!series) problems.push(`${name} is not a metric of metrics.ts`);
    for (const l of series?.labels ?? []) labels.add(l);
  }
  for (const s of q.selectors)
    for (const l of s.matchers)
      if (SERIES.get(s.name)?.labels.has(l) === false) problems.push(`${s.name} has no label ${l}`);
  for (const l of q.grouping) if (!labels.has(l)) problems.push(`groups by ${l}, which its metrics lack`);
  return problems;
}

describe('the Grafana dashboard (deploy/dashboards/edgehub.json)', () => {
  it('has the schema basics: uid, title, schemaVersion, time, refresh, panels', () => {
    assert.equal(dashboard.uid, DASHBOARD_UID);
    assert.equal(typeof dashboard.title, 'string');
    assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36);
    assert.deepEqual(dashboard.time, { from: 'now-1h', to: 'now' });
    assert.match(dashboard.refresh, /^\d+[smh]$/);
    assert.ok(Array.isArray(dashboard.panels) && panels.length >= 20);
    assert.equal('id' in dashboard, false, 'no numeric id: Grafana assigns one on import');
  });

  it('has a Prometheus datasource variable and a multi-value edge_device variable every query uses', () => {
    const vars = new Map(dashboard.templating.list.map((v) => [v.name as string, v]));
    assert.equal(vars.get('datasource')?.type, 'datasource');
    assert.equal(vars.get('datasource')?.query, 'prometheus');
    const device = vars.get('edge_device');
    assert.equal(device?.type, 'query');
    assert.equal(device?.multi, true);
    assert.equal(device?.includeAll, true);
    assert.match(JSON.stringify(device?.query), /label_values\(edgehub_[a-z_]+, edge_device\)/);
    for (const p of panels) {
      assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, p.title);
      for (const t of p.targets ?? []) assert.deepEqual(t.datasource, p.datasource, p.title);
    }
    for (const { panel, expr } of exprs) {
      for (const s of parsePromQl(expr).selectors)
        assert.ok(expr.includes(`${s.name}{edge_device=~"$edge_device"`), `${panel}: ${s.name} is not filtered`);
    }
  });

  it('lays panels on the 24-column grid without overlaps, with unique ids and refIds', () => {
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && h > 0 && y >= 0, `${p.title}: gridPos`);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          assert.ok(!cells.has(`${i},${j}`), `${p.title} overlaps another panel`);
          cells.add(`${i},${j}`);
        }
      if (p.type === 'row') continue;
      const refIds = (p.targets ?? []).map((t) => t.refId);
      assert.ok(refIds.length > 0, `${p.title}: no query`);
      assert.equal(new Set(refIds).size, refIds.length);
      assert.ok(p.description && p.description.length > 10, `${p.title}: no description`);
    }
  });

  it('has rows for throughput, queues and drops, latency, connections', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    for (const row of ['Throughput', 'Queues and drops', 'Latency', 'Connections']) assert.ok(rows.includes(row), row);
  });

  it('every query names only metrics of deploy/dashboards/metrics.ts, with labels those metrics have', () => {
    for (const { panel, expr } of exprs) assert.deepEqual(queryProblems(expr), [], `${panel}: ${expr}`);
  });

  it('shows every hub metric somewhere', () => {
    const used = new Set(exprs.flatMap(({ expr }) => parsePromQl(expr).names.map((n) => SERIES.get(n)?.metric)));
    for (const metric of Object.keys(HUB_METRICS)) assert.ok(used.has(metric), `${metric} is on no panel`);
  });

  it('the query check finds metrics, matchers and grouping, and flags unknown ones', () => {
    const q = parsePromQl(
      'histogram_quantile(0.99, sum by (edge_device, le) (rate(a_bucket{edge_device=~"x", le!="1"}[$__rate_interval]))) / b',
    );
    assert.deepEqual(q.names, ['a_bucket', 'b']);
    assert.deepEqual(q.grouping, ['edge_device', 'le']);
    assert.deepEqual(q.selectors, [{ name: 'a_bucket', matchers: ['edge_device', 'le'] }]);
    assert.deepEqual(queryProblems('sum by (id) (rate(edgehub_messages_received_total{route_output="x"}[5m]))'), []);
    assert.deepEqual(queryProblems('sum(edgehub_messages_recieved_total)'), [
      'edgehub_messages_recieved_total is not a metric of metrics.ts',
    ]);
    assert.deepEqual(queryProblems('sum by (reason) (edgehub_queue_length{le="1"})'), [
      'edgehub_queue_length has no label le',
      'groups by reason, which its metrics lack',
    ]);
    assert.deepEqual(queryProblems('vector(1)'), ['no metric']);
  });
});

describe('deploy/dashboards/metrics.ts against the hub', () => {
  const hub = new HubMetrics(
    { iothub: 'hub.example', edgeDevice: 'dev1' },
    () => 0,
    () => [],
    () => NO_WAL_STATS,
  );

  it('names real metrics of the hub registry, with their types and labels', async () => {
    const registry = new Map((await hub.registry.getMetricsAsJSON()).map((m) => [m.name, m]));
    for (const [name, spec] of Object.entries<MetricSpec>(DASHBOARD_METRICS)) {
      const real = registry.get(name);
      assert.ok(real, `the hub has no metric ${name}`);
      assert.equal(real.type, spec.type, name);
      const labelNames = (hub.registry.getSingleMetric(name) as unknown as { labelNames?: string[] }).labelNames ?? [];
      for (const l of spec.labels) assert.ok(labelNames.includes(l), `${name} has no label ${l}`);
    }
  });

  it('lists every edgehub_ metric the hub exports, so a new one is a deliberate choice', async () => {
    const names = (await hub.registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('edgehub_'));
    assert.deepEqual(names.sort(), Object.keys(HUB_METRICS).sort());
  });
});
