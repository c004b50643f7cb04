import { backoffMs } from '../time/backoff.js';

/** How a failed job is tried again: after `firstMs`, doubling up to `maxMs` between tries. */
export interface RetryBackoff {
  readonly firstMs: number;
  readonly maxMs: number;
}

/** Maps, textfile and page: first retry after 1 s, then at most every 30 s. */
export const WRITE_RETRY: RetryBackoff = { firstMs: 1000, maxMs: 30_000 };

/**
 * Runs async jobs one at a time where only the newest pending job matters: a job asked
 * for while one runs replaces any job still waiting. Used for map and textfile writes,
 * so a burst of updates costs one write after the current one, not one per update.
 *
 * A job that fails is tried again with backoff until it succeeds or a newer job replaces
 * it, so a write that failed (disk full, permissions) lands once the fault is fixed, even
 * if nothing changes meanwhile.
 */
export class LatestWins {
  private running: Promise<void> | null = null;
  private pending: (() => Promise<void>) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private closed = false;
  /** When the last job ended (performance.now()). */
  private lastEnd = -Infinity;

  /**
   * `minGapMs`: the least time between the end of one job and the start of the next,
   * whether or not the next was asked for while the first ran.
   */
  constructor(
    private readonly onError: (e: unknown, failures: number) => void,
    private readonly minGapMs = 0,
    private readonly backoff: RetryBackoff = WRITE_RETRY,
  ) {}

  run(job: () => Promise<void>): void {
    if (this.closed) return;
    this.cancelRetry();
    this.pending = job;
    if (this.running === null) this.running = this.drain();
  }

  /** Resolves when nothing runs or waits to run (a retry waiting for its time does not count). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /** Whether a failed job waits to be tried again. */
  get retrying(): boolean {
    return this.retryTimer !== null;
  }

  /** No more jobs or retries (shutdown). */
  close(): void {
    this.closed = true;
    this.pending = null;
    this.cancelRetry();
  }

  /** The wait before retry number `n` (1-based). */
  retryDelayMs(n: number): number {
    return backoffMs(this.backoff.firstMs, this.backoff.maxMs, n);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async drain(): Promise<void> {
    while (this.pending !== null) {
      // the gap counts from the last job's end: jobs asked for one by one are spaced too
      const wait = this.lastEnd + this.minGapMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const job = this.pending;
      if (job === null) break; // closed meanwhile
      this.pending = null;
      try {
        await job();
        this.failures = 0;
      } catch (e) {
        this.failures++;
        this.onError(e, this.failures);
        if (this.pending === null && !this.closed) this.scheduleRetry(job);
      }
      this.lastEnd = performance.now();
    }
    this.running = null;
  }

  private scheduleRetry(job: () => Promise<void>): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.run(job);
    }, this.retryDelayMs(this.failures));
    // a retry alone does not keep the process alive (--run-once exits after its writes)
    this.retryTimer.unref();
  }
}
