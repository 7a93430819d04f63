// The reference's exponential backoff with jitter (edge-util ExponentialBackoff, reference/routing.md §4.5):
// delay(n) = min(min + (2ⁿ − 1) × U(0.8, 1.2) × delta, max), n = retries so far.
export function backoffDelay(
  retries: number,
  b: { readonly minMs: number; readonly maxMs: number; readonly deltaMs: number },
  random: () => number = Math.random,
): number {
  const n = Math.min(retries, 30); // 2^30 × delta is past any max already
  const jitter = 0.8 + 0.4 * random();
  return Math.min(b.minMs + (2 ** n - 1) * jitter * b.deltaMs, b.maxMs);
}
