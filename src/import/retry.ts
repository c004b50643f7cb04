/** Backoff before try `n + 1` after `n` failed tries: base, 2×base, 4×base, … capped at 30 s. */
export function backoffMs(baseMs: number, failedTries: number): number {
  return Math.min(30_000, baseMs * 2 ** Math.max(0, failedTries - 1));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
