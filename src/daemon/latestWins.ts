/**
 * Runs async jobs one at a time where only the newest pending job matters: a job asked
 * for while one runs replaces any job still waiting. Used for map and textfile writes,
 * so a burst of updates costs one write after the current one, not one per update.
 */
export class LatestWins {
  private running: Promise<void> | null = null;
  private pending: (() => Promise<void>) | null = null;
  /** When the last job ended (performance.now()). */
  private lastEnd = -Infinity;

  /**
   * `minGapMs`: the least time between the end of one job and the start of the next,
   * whether or not the next was asked for while the first ran.
   */
  constructor(private readonly onError: (e: unknown) => void, private readonly minGapMs = 0) {}

  run(job: () => Promise<void>): void {
    this.pending = job;
    if (this.running === null) this.running = this.drain();
  }

  /** Resolves when nothing runs or waits. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending !== null) {
      // the gap counts from the last job's end: jobs asked for one by one are spaced too
      const wait = this.lastEnd + this.minGapMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const job = this.pending;
      if (job === null) break;
      this.pending = null;
      try {
        await job();
      } catch (e) {
        this.onError(e);
      }
      this.lastEnd = performance.now();
    }
    this.running = null;
  }
}
