/**
 * Cooperative shutdown: loops check `stopped` at safe points, and sleeps end early when
 * a stop is asked for.
 */
export class StopSignal {
  private readonly controller = new AbortController();

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(): void {
    this.controller.abort();
  }

  /** Sleeps `ms`, or less when stopped meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.controller.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.controller.signal.addEventListener('abort', done);
    });
  }

  /** Stops on the first of these process signals. */
  onSignals(signals: readonly NodeJS.Signals[], then: (s: NodeJS.Signals) => void): void {
    for (const s of signals) {
      process.once(s, () => {
        if (this.stopped) return;
        then(s);
        this.stop();
      });
    }
  }
}
