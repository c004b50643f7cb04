import type { ResyncReason } from '../outputs/metrics/selfMetrics.js';
import type { LiveChecker, LiveModeParts } from './liveParts.js';
import { UnwatchedPoller } from './unwatchedPoll.js';
import { defaultTimings, RESYNC_WHY, ResyncGuard, type GuardTimings } from './resyncGuard.js';
import { StoreWatcher } from './storeWatcher.js';
import { defaultDirWatch, type DirWatchFn, type UnwatchedFolder } from './watchEvents.js';
import { pairKey } from '../store/pairKey.js';
import { backoffMs } from '../time/backoff.js';

/** How often folders that are not watched are polled. */
export const POLL_MS = 1000;
/** First and longest wait before watching an unwatched folder is tried again (doubling between). */
export const RETRY_FIRST_MS = 500;
export const RETRY_MAX_MS = 4000;

/**
 * Live mode: store events mark hours dirty on their checker, which re-reads only them.
 * Watching heals itself: a folder that cannot be watched sets segcov_watcher_degraded and,
 * until it is watched again, is polled every POLL_MS (UnwatchedPoller) and retried with
 * backoff (RETRY_FIRST_MS doubling to RETRY_MAX_MS); then one catch-up pass runs. Periodic
 * passes check the live state only while everything is watched. Events a watch missed
 * (overflow, a stall, a mount) are found by a ResyncGuard (segcov_live_resyncs_total).
 */
export class LiveMode {
  private watcher: StoreWatcher | null = null;
  private guard: ResyncGuard | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Watch retries since watching last failed (backoffMs). */
  private retries = 0;
  private readonly byKey = new Map<string, LiveChecker>();
  private readonly poller = new UnwatchedPoller();
  /** Passes asked for by the watcher (structure changes) still running, per checker: they are not checks of the live state. */
  private readonly resyncs = new Map<LiveChecker, number>();
  private degradedFlag = false;
  private healthy = false;
  private stopped = false;
  private polling = false;

  constructor(
    private readonly parts: LiveModeParts,
    private readonly dirWatch?: DirWatchFn,
    private readonly timings: GuardTimings = defaultTimings(),
  ) {
    for (const c of parts.checkers) this.byKey.set(pairKey(c.channel, c.quality), c);
  }

  /** True while some folder that should be watched is not. */
  get degraded(): boolean {
    return this.degradedFlag;
  }

  get watching(): boolean {
    return this.watcher !== null;
  }

  /** Folders not watched right now. */
  get unwatched(): ReadonlyMap<string, UnwatchedFolder> {
    return this.watcher?.unwatched ?? new Map();
  }

  /** Starts watching (a missing base is watched for until it exists). Call after the first full pass. */
  async start(): Promise<void> {
    if (this.watcher !== null) return;
    const { config } = this.parts;
    const watchDir = this.dirWatch ?? defaultDirWatch;
    const w = new StoreWatcher(
      {
        base: config.baseDir,
        channels: config.channels,
        qualities: config.qualities,
        // every event is shown to the guard first: it tells an overflowed kernel queue by their number
        dirWatch: (dir, onName, onError) =>
          watchDir(
            dir,
            (name) => {
              this.guard?.event();
              onName(name);
            },
            onError,
          ),
      },
      {
        hourChanged: (channel, quality, hour) => this.byKey.get(pairKey(channel, quality))?.markDirty(hour),
        qualityChanged: (channel, quality) => this.resync(channel, quality),
        unwatched: (dir, err) => this.onUnwatched(dir, err),
      },
    );
    this.watcher = w;
    this.guard = new ResyncGuard(
      {
        base: config.baseDir,
        watched: () => w.watched,
        resync: (dir) => w.resync(dir),
        resyncing: (reason, dirs, detail) => this.onResync(reason, dirs, detail),
      },
      this.timings,
    );
    await w.start();
    this.guard.start();
    this.review();
    // Changes between the first pass and the watch being in place: one catch-up pass.
    await this.catchUp();
    this.parts.log.info({ hourFolders: w.watchedHours, unwatched: w.unwatched.size }, 'watching the store for live updates');
  }

  /** Counts a watch failure the daemon saw outside the watcher; the retry loop takes it from there. */
  degrade(err: Error): void {
    this.onUnwatched(this.parts.config.baseDir, err);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    this.guard?.stop();
    await this.watcher?.close();
    this.watcher = null;
  }

  private onUnwatched(dir: string, err: Error): void {
    const wasDegraded = this.degradedFlag;
    this.setDegraded(true);
    if (wasDegraded) return;
    const { log, metrics } = this.parts;
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOSPC' ? ' (raise fs.inotify.max_user_watches)' : '';
    log.warn(
      { dir, err: err.message, code },
      `cannot watch part of the store${hint}; polling what is not watched every ${POLL_MS / 1000} s and retrying`,
    );
    metrics.errors.inc({ kind: 'watcher' });
  }

  private onResync(reason: ResyncReason, dirs: readonly string[], detail: Record<string, unknown>): void {
    this.parts.metrics.liveResyncs.inc({ reason });
    this.parts.log.warn({ reason, dirs: dirs.slice(0, 5), folders: dirs.length, ...detail }, RESYNC_WHY[reason]);
  }

  private setDegraded(on: boolean): void {
    this.degradedFlag = on;
    this.parts.metrics.watcherDegraded.set(on ? 1 : 0);
    if (on) {
      this.healthy = false;
      for (const c of this.parts.checkers) c.compareWithLive = false;
      if (this.pollTimer === null && !this.stopped) {
        this.pollTimer = setInterval(() => {
          if (this.polling) return; // a slow poll is not stacked
          this.polling = true;
          void this.poll().finally(() => {
            this.polling = false;
          });
        }, POLL_MS);
        this.pollTimer.unref();
      }
      this.scheduleRetry();
    }
  }

  /** Looks at what the watcher misses after a change: degraded or healed. */
  private review(): void {
    const w = this.watcher;
    if (w === null) return;
    if (w.unwatched.size > 0) {
      if (!this.degradedFlag) this.setDegraded(true);
      return;
    }
    if (!this.degradedFlag) return;
    this.setDegraded(false);
    this.clearTimers();
    this.retries = 0;
    this.poller.clear();
    this.parts.log.info('watching the whole store again');
    void this.catchUp();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null || this.stopped) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        void this.retry();
      },
      backoffMs(RETRY_FIRST_MS, RETRY_MAX_MS, ++this.retries),
    );
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    if (this.watcher === null || this.stopped) return;
    await this.watcher.retry();
    this.review();
    if (this.degradedFlag) this.scheduleRetry();
  }

  /** Re-reads what is not watched: changed unwatched hours, and whole qualities under an unwatched upper folder. */
  private async poll(): Promise<void> {
    const w = this.watcher;
    if (w === null || this.stopped) return;
    const found = await this.poller.poll(w.unwatched);
    for (const h of found.hours) this.byKey.get(pairKey(h.channel, h.quality))?.markDirty(h.hour);
    const upper = new Set<LiveChecker>();
    for (const u of found.upper) for (const c of this.checkersUnder(u.channel, u.quality)) upper.add(c);
    await Promise.all([...upper].map((c) => c.fullPass(() => this.parts.stop.stopped)));
    this.review();
  }

  private checkersUnder(channel: string | null, quality: string | null): LiveChecker[] {
    return this.parts.checkers.filter((c) => (channel === null || c.channel === channel) && (quality === null || c.quality === quality));
  }

  /** A folder appeared, went or was replaced: re-read the qualities under it (not a check of the live state). */
  private resync(channel: string | null, quality: string | null): void {
    this.review();
    for (const c of this.checkersUnder(channel, quality)) void this.passWithoutCheck(c);
  }

  private async passWithoutCheck(c: LiveChecker): Promise<void> {
    this.resyncs.set(c, (this.resyncs.get(c) ?? 0) + 1);
    c.compareWithLive = false;
    try {
      await c.fullPass(() => this.parts.stop.stopped);
    } finally {
      const left = (this.resyncs.get(c) ?? 1) - 1;
      if (left > 0) this.resyncs.set(c, left);
      else this.resyncs.delete(c);
      c.compareWithLive = this.healthy && left === 0;
    }
  }

  /** One pass of every quality, then (when everything is still watched) passes check the live state again. */
  private async catchUp(): Promise<void> {
    await Promise.all(this.parts.checkers.map((c) => this.passWithoutCheck(c)));
    if (!this.degradedFlag && !this.stopped) {
      this.healthy = true;
      for (const c of this.parts.checkers) if (!this.resyncs.has(c)) c.compareWithLive = true;
    }
  }

  private clearTimers(): void {
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.pollTimer = null;
    this.retryTimer = null;
  }
}
