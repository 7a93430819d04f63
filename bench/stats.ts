// The statistics of the suite, pure: medians with min–max over repetitions, and ratios taken pair by pair
// (the hub and a peer of the same repetition) before their median, so that a slow moment of the machine
// touches both sides of a ratio instead of one.

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many values were summarised (repetitions that produced one). */
  readonly n: number;
}

function usable(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** The median (mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median, min and max of the finite values; undefined when there are none. */
export function summarize(values: readonly (number | undefined)[]): Summary | undefined {
  const v = usable(values);
  if (v.length === 0) return undefined;
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/**
 * Ratios of `a` to `b` repetition by repetition (a[i] / b[i]); a repetition missing either side, or with a
 * zero denominator, gives no ratio.
 */
export function pairedRatios(a: readonly (number | undefined)[], b: readonly (number | undefined)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) && y !== 0) {
      out.push(x / y);
    }
  }
  return out;
}

/** Median and range of the paired ratios a/b. */
export function ratioSummary(
  a: readonly (number | undefined)[],
  b: readonly (number | undefined)[],
): Summary | undefined {
  return summarize(pairedRatios(a, b));
}

/**
 * Which repetitions a figure may come from: those where the other load on the machine (what anything but the
 * broker and its clients used) stayed at or below `maxLoad` cores on every side. A repetition with no load
 * reading (a scenario that does not measure it) is kept.
 */
export function quietRepetitions(loads: readonly (readonly (number | undefined)[])[], maxLoad: number): boolean[] {
  const reps = Math.max(0, ...loads.map((l) => l.length));
  return Array.from({ length: reps }, (_, i) => loads.every((l) => (l[i] ?? 0) <= maxLoad));
}

/** `values` with the repetitions that `keep` refuses blanked out. */
export function keepOnly(values: readonly (number | undefined)[], keep: readonly boolean[]): (number | undefined)[] {
  return values.map((v, i) => (keep[i] === false ? undefined : v));
}

/** Messages per second from a count and a duration in milliseconds. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : NaN;
}

/** A process that used more than this share of one core over a window was CPU-bound. */
export const CPU_BOUND = 0.9;

export function isCpuBound(coresUsed: number | undefined): boolean {
  return coresUsed !== undefined && coresUsed > CPU_BOUND;
}

/** The order of the brokers in repetition `rep`: rotated by one each time, so none is always first. */
export function rotation<T>(items: readonly T[], rep: number): T[] {
  if (items.length === 0) return [];
  const k = ((rep % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
