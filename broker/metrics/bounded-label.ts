// Label values that come from clients (an output name, say) could grow a metric without bound: in series, and in
// bytes (200 output names of 50 kB made /metrics 80 MB, and a scrape blocked the event loop). A BoundedLabel
// keeps the first values that fit its budget (at most `limit` of them, each at most `maxLength` characters, at
// most `maxTotal` characters together) and folds every other value into `_other`.
export const FOLDED = '_other';

export type FoldReason = 'too_long' | 'too_many';

export interface BoundedLabelLimits {
  /** Distinct values kept. */
  readonly limit: number;
  /** Longest value kept, in characters. */
  readonly maxLength: number;
  /** Characters of all kept values together. */
  readonly maxTotal: number;
}

export class BoundedLabel {
  private readonly seen = new Set<string>();
  private total = 0;
  private readonly limits: BoundedLabelLimits;
  /** Values folded where they entered (`admit`), by reason. */
  readonly folded: Record<FoldReason, number> = { too_long: 0, too_many: 0 };

  constructor(limits: Partial<BoundedLabelLimits> = {}) {
    this.limits = { limit: 100, maxLength: 128, maxTotal: 16_384, ...limits };
  }

  /** The label value for `v`: `v` itself, or `_other`. */
  value(v: string): string {
    // The length first: a long value is never hashed for the look-up.
    if (v.length > this.limits.maxLength) return FOLDED;
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.limits.limit || this.total + v.length > this.limits.maxTotal) return FOLDED;
    this.seen.add(v);
    this.total += v.length;
    return v;
  }

  /** As `value`, and counts a fold: call it once per message, where the value enters the hub. */
  admit(v: string): string {
    const label = this.value(v);
    if (label === FOLDED && v !== FOLDED) this.folded[v.length > this.limits.maxLength ? 'too_long' : 'too_many']++;
    return label;
  }
}
