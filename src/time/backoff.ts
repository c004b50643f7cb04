/**
 * The wait before retry number `n` (1-based) after failures: `firstMs`, doubling each time,
 * never more than `maxMs`. Every retry loop in segcov (output writes, watch retries, import
 * chunks) waits by this one rule.
 */
export function backoffMs(firstMs: number, maxMs: number, n: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(0, n - 1), 30));
}
