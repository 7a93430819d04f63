// What the hub says about itself over a measured window, from its Prometheus endpoint: event-loop delay,
// time in GC, and group-commit batch size and duration. prom-client resets its event-loop histogram at every
// scrape, so a scrape at the start of the window and one at its end give that window's delay; the others are
// cumulative and taken as differences.

export type Scrape = Map<string, number>;

/** Sums every series of each metric name (labels dropped). */
export function parsePrometheus(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = m[2] ?? '';
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    const key = le === undefined ? m[1]! : `${m[1]!}{le=${le}}`;
    const value = Number(m[3]);
    if (Number.isFinite(value)) out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

export async function scrape(url: string): Promise<Scrape | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return res.ok ? parsePrometheus(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}

export interface HubWindow {
  /** Event-loop delay over the window (ms), the 10 ms sampling resolution of prom-client subtracted. */
  readonly loopDelayP99Ms: number | undefined;
  readonly loopDelayMaxMs: number | undefined;
  /** Time spent in GC per second of the window (ms/s). */
  readonly gcMsPerSec: number | undefined;
  /** Messages per group commit, and the share of commits that took more than 10 ms. */
  readonly commitBatch: number | undefined;
  readonly slowCommits: number | undefined;
}

const RESOLUTION_MS = 10;

export class HubMetricsWindow {
  private first: Scrape | undefined;
  private startedAt = 0;

  constructor(private readonly url: string | undefined) {}

  async start(): Promise<void> {
    if (!this.url) return;
    this.first = await scrape(this.url);
    this.startedAt = performance.now();
  }

  async end(): Promise<HubWindow | undefined> {
    if (!this.url || !this.first) return undefined;
    const last = await scrape(this.url);
    if (!last) return undefined;
    const seconds = (performance.now() - this.startedAt) / 1000;
    const d = (k: string) => {
      const a = this.first!.get(k);
      const b = last.get(k);
      return a === undefined || b === undefined ? undefined : b - a;
    };
    const delay = (k: string) => {
      const v = last.get(k);
      return v === undefined ? undefined : Math.max(0, v * 1000 - RESOLUTION_MS);
    };
    const gc = d('nodejs_gc_duration_seconds_sum');
    const batches = d('edgehub_store_commit_batch_size_count');
    const batchSum = d('edgehub_store_commit_batch_size_sum');
    const commits = d('edgehub_store_commit_duration_seconds_count');
    const fast = d('edgehub_store_commit_duration_seconds_bucket{le=0.01}');
    return {
      loopDelayP99Ms: delay('nodejs_eventloop_lag_p99_seconds'),
      loopDelayMaxMs: delay('nodejs_eventloop_lag_max_seconds'),
      gcMsPerSec: gc === undefined ? undefined : (gc * 1000) / seconds,
      commitBatch: batches && batchSum !== undefined ? batchSum / batches : undefined,
      slowCommits: commits && fast !== undefined ? (commits - fast) / commits : undefined,
    };
  }
}
