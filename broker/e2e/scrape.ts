// Scrapes a hub's /metrics and parses the Prometheus text format with a real parser: the official Python
// client's (python3-prometheus-client from Debian, installed by .ci/run), so tests read samples, never lines
// matched by regular expressions.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Sample {
  /** The family name (counters without `_total`, as the parser reports them). */
  readonly family: string;
  readonly type: string;
  /** The sample name (`…_total`, `…_count`, `…_sum`, `…_bucket`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const PARSER = fileURLToPath(new URL('./prometheus-samples.py', import.meta.url));
// Debian's interpreter, where python3-prometheus-client lives (a pyenv python3 on PATH would lack it).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function parseExposition(text: string): Sample[] {
  try {
    const samples = JSON.parse(
      execFileSync(PYTHON, [PARSER], { input: text, encoding: 'utf8', maxBuffer: 256 << 20 }),
    ) as (Omit<Sample, 'value'> & { value: number | string })[];
    // Non-finite values come as strings (JSON has no NaN): "NaN", "Infinity", "-Infinity".
    return samples.map((s) => (typeof s.value === 'string' ? { ...s, value: Number(s.value) } : (s as Sample)));
  } catch (err) {
    throw new Error(
      `cannot parse /metrics with the Prometheus Python client (apt-get install python3-prometheus-client): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

export class Scrape {
  constructor(readonly samples: readonly Sample[]) {}

  static async from(port: number): Promise<Scrape> {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
    return new Scrape(parseExposition(await res.text()));
  }

  private matching(name: string, labels: Record<string, string>): Sample[] {
    const found = this.samples.filter((s) => s.name === name);
    if (found.length === 0 && !this.samples.some((s) => s.family === name.replace(/_(total|count|sum)$/, ''))) {
      throw new Error(`metric ${name} is not exported`);
    }
    return found.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** Sum of the samples named `name` whose labels include `labels`. */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((n, s) => n + s.value, 0);
  }

  /** Sum of the `_count` samples of a summary or histogram matching `labels`. */
  count(name: string, labels: Record<string, string> = {}): number {
    return this.value(`${name}_count`, labels);
  }
}
