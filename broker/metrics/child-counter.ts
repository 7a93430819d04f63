// A counter for the per-message path. prom-client's `counter.labels(…).inc()` hashes the label set, validates
// it and returns a result object listing every series on each call; here a child is a plain number that the
// counter publishes when it is scraped. Every increment of such a counter goes through a child.
import { Counter, type CounterConfiguration, type LabelValues } from 'prom-client';

export interface CounterChild {
  inc(): void;
}

class Child<T extends string> implements CounterChild {
  value = 0;
  constructor(readonly labels: LabelValues<T>) {}
  inc(): void {
    this.value++;
  }
}

export class ChildCounter<T extends string> {
  readonly counter: Counter<T>;
  private readonly children: Child<T>[] = [];

  constructor(config: Omit<CounterConfiguration<T>, 'collect'>) {
    const children = this.children;
    this.counter = new Counter<T>({
      ...config,
      collect(this: Counter<T>) {
        this.reset();
        for (const c of children) if (c.value > 0) this.inc(c.labels, c.value);
      },
    });
  }

  /** A child for one label set; callers cache it (children are never removed, so label sets must be bounded). */
  child(labels: LabelValues<T>): CounterChild {
    const c = new Child<T>(labels);
    this.children.push(c);
    return c;
  }
}
