// Label values that come from clients (an output name, say) could grow a metric without bound. A BoundedLabel
// keeps the first `limit` distinct values and maps every later one to `_other`.
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 100) {}

  value(v: string): string {
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.limit) return '_other';
    this.seen.add(v);
    return v;
  }
}
