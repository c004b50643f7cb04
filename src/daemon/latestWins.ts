/**
 * Runs async jobs one at a time where only the newest pending job matters: a job asked
 * for while one runs replaces any job still waiting. Used for map and textfile writes,
 * so a burst of updates costs one write after the current one, not one per update.
 */
export class LatestWins {
  private running: Promise<void> | null = null;
  private pending: (() => Promise<void>) | null = null;

  /** `minGapMs`: the least time between the end of one job and the start of the next. */
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
      const job = this.pending;
      this.pending = null;
      try {
        await job();
      } catch (e) {
        this.onError(e);
      }
      if (this.minGapMs > 0 && this.pending !== null) await new Promise((r) => setTimeout(r, this.minGapMs));
    }
    this.running = null;
  }
}
