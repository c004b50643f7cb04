import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { formatHourName } from '../store/hourName.js';
import { HOUR_US } from '../coverage/types.js';
import type { DaemonParts } from '../daemon/daemonParts.js';
import type { QualityChecker } from '../daemon/qualityChecker.js';
import { StoreWatcher, type DirWatchFn } from './storeWatcher.js';

/** How often a degraded daemon re-reads the newest hours (when watching is not possible). */
export const POLL_MS = 2000;

/**
 * Live mode: store events mark hours dirty on their checker, which re-reads only them.
 * When watching fails (inotify limits, watcher errors) it warns once, sets
 * segcov_watcher_degraded, and polls the newest hour of every quality instead; the
 * periodic passes go on either way.
 */
export class LiveMode {
  private watcher: StoreWatcher | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private readonly byKey = new Map<string, QualityChecker>();
  private degradedFlag = false;

  constructor(private readonly parts: DaemonParts, private readonly dirWatch?: DirWatchFn) {
    for (const c of parts.checkers) this.byKey.set(`${c.channel}\u0000${c.quality}`, c);
  }

  get degraded(): boolean {
    return this.degradedFlag;
  }

  get watching(): boolean {
    return this.watcher !== null;
  }

  /**
   * Starts watching if the base folder exists (else returns false: call again after the
   * next pass). Call after the first full pass so the live state starts from it.
   */
  async start(): Promise<boolean> {
    if (this.watcher !== null || this.degradedFlag) return true;
    const { config } = this.parts;
    try {
      if (!(await stat(config.baseDir)).isDirectory()) return false;
    } catch {
      return false;
    }
    const w = new StoreWatcher({
      base: config.baseDir, channels: config.channels, qualities: config.qualities,
      firstHour: config.firstHour, lastHour: config.lastHour, dirWatch: this.dirWatch,
    }, {
      hourChanged: (channel, quality, hour) => this.byKey.get(`${channel}\u0000${quality}`)?.markDirty(hour),
      qualityChanged: (channel, quality) => {
        for (const c of this.parts.checkers) {
          if (c.channel === channel && (quality === null || c.quality === quality)) void c.fullPass(() => this.parts.stop.stopped);
        }
      },
      failed: (err) => this.degrade(err),
    });
    this.watcher = w;
    await w.start();
    // Changes between the first pass and the watch being in place: one catch-up pass.
    if (!this.degradedFlag) {
      await Promise.all(this.parts.checkers.map((c) => c.fullPass(() => this.parts.stop.stopped)));
      for (const c of this.parts.checkers) c.compareWithLive = true;
      this.parts.log.info({ hourFolders: w.watchedHours }, 'watching the store for live updates');
    }
    return true;
  }

  /** Falls back to polling the newest hours; warns once. */
  degrade(err: Error): void {
    if (this.degradedFlag) return;
    this.degradedFlag = true;
    const { log, metrics } = this.parts;
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOSPC' ? ' (raise fs.inotify.max_user_watches)' : '';
    log.warn({ err: err.message, code }, `watching the store failed${hint}; polling the newest hours every ${POLL_MS / 1000} s and relying on periodic passes`);
    metrics.watcherDegraded.set(1);
    metrics.errors.inc({ kind: 'watcher' });
    for (const c of this.parts.checkers) c.compareWithLive = false;
    this.watcher = null;
    this.pollTimer = setInterval(() => this.poll(), POLL_MS);
    this.pollTimer.unref();
  }

  /** Marks the newest known hour and the hour of the clock dirty on every checker. */
  private poll(): void {
    const nowHour = formatHourName(Date.now() * 1000);
    const prevHour = formatHourName(Date.now() * 1000 - HOUR_US);
    for (const c of this.parts.checkers) {
      const held = c.hourResults();
      const newest = held[held.length - 1]?.hour;
      const fresh = [nowHour, prevHour].filter((h) => h !== newest && existsSync(path.join(this.parts.config.baseDir, c.channel, c.quality, h)));
      for (const h of [newest, ...fresh]) if (h !== undefined) c.markDirty(h);
    }
  }

  async stop(): Promise<void> {
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.pollTimer = null;
    await this.watcher?.close();
    this.watcher = null;
  }
}
