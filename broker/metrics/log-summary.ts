// A Prometheus summary for the hot path. prom-client's Summary feeds every observation into a t-digest per age
// bucket (five by default): microseconds per message and a steady stream of garbage. This one counts each
// observation into a log-spaced bucket (16 per power of two: quantiles within about 2%) with no allocation, over
// a sliding window of two halves of `maxAgeSeconds`, and computes the quantiles only when scraped. `_sum` and
// `_count` are cumulative, as Prometheus expects of a summary. It plugs into a prom-client Registry as a metric.
import type { Metric, Registry } from 'prom-client';

const SUB_BUCKETS = 16;
const MIN = 1e-9; // smallest distinct value; below it (and 0) share bucket 0
const OCTAVES = 62; // up to ~4.6e9
const BUCKETS = OCTAVES * SUB_BUCKETS + 2;

function bucketOf(value: number): number {
  if (!(value > MIN)) return 0;
  const i = Math.floor(Math.log2(value / MIN) * SUB_BUCKETS) + 1;
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** The geometric middle of bucket `i`: the value reported for a quantile that falls in it. */
function valueOf(i: number): number {
  return i === 0 ? 0 : MIN * 2 ** ((i - 0.5) / SUB_BUCKETS);
}

export class LogSummaryChild {
  /** Counts of the current half-window and the previous one. */
  current = new Uint32Array(BUCKETS);
  previous = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  observe(value: number): void {
    this.current[bucketOf(value)]!++;
    this.count++;
    this.sum += value;
  }

  rotate(): void {
    const recycled = this.previous;
    this.previous = this.current;
    recycled.fill(0);
    this.current = recycled;
  }

  /** Quantiles of the window (both halves), or undefined when it is empty. */
  quantiles(percentiles: readonly number[]): number[] | undefined {
    let total = 0;
    for (let i = 0; i < BUCKETS; i++) total += this.current[i]! + this.previous[i]!;
    if (total === 0) return undefined;
    const out: number[] = [];
    let seen = 0;
    let i = 0;
    for (const p of percentiles) {
      const rank = Math.max(1, Math.ceil(p * total));
      while (seen + this.current[i]! + this.previous[i]! < rank && i < BUCKETS - 1) {
        seen += this.current[i]! + this.previous[i]!;
        i++;
      }
      out.push(valueOf(i));
    }
    return out;
  }
}

export interface LogSummaryOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly percentiles: readonly number[];
  readonly maxAgeSeconds: number;
  readonly registers: readonly Registry[];
}

export class LogSummary<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'summary';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, LogSummaryChild>();
  private readonly percentiles: readonly number[];
  private readonly labelNames: readonly L[];
  private readonly timer: NodeJS.Timeout;

  constructor(opts: LogSummaryOptions<L>) {
    this.name = opts.name;
    this.help = opts.help;
    this.percentiles = [...opts.percentiles].sort((a, b) => a - b);
    this.labelNames = opts.labelNames;
    this.timer = setInterval(() => this.children.forEach((c) => c.rotate()), (opts.maxAgeSeconds * 1000) / 2);
    this.timer.unref();
    // prom-client registries take any object with a name and get(); its Metric type lists more than they use.
    for (const r of opts.registers) r.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values; keep it to observe without a look-up. */
  child(labels: Readonly<Record<L, string>>): LogSummaryChild {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let c = this.children.get(key);
    if (!c) {
      c = new LogSummaryChild({ ...labels });
      this.children.set(key, c);
    }
    return c;
  }

  get(): Promise<{
    name: string;
    help: string;
    type: 'summary';
    aggregator: 'sum';
    values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  }> {
    const values: { labels: Record<string, string | number>; value: number; metricName?: string }[] = [];
    for (const c of this.children.values()) {
      const q = c.quantiles(this.percentiles);
      this.percentiles.forEach((p, i) => values.push({ labels: { quantile: p, ...c.labels }, value: q ? q[i]! : 0 }));
      values.push({ metricName: `${this.name}_sum`, labels: { ...c.labels }, value: c.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...c.labels }, value: c.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: 'summary', aggregator: 'sum', values });
  }

  reset(): void {
    this.children.clear();
  }

  /** Stops the window timer (tests that create many registries). */
  close(): void {
    clearInterval(this.timer);
  }
}
