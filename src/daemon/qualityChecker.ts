import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DaemonConfig } from '../config/daemonConfig.js';
import type { HourResult } from '../coverage/hourAnalysis.js';
import type { MapOptions } from '../coverage/mapPixels.js';
import { changedStarts, qualityCoverage, updateQualityCoverage, withHours, type QualityCoverage } from '../coverage/qualityCoverage.js';
import { HourUpdates, rereadHour } from '../live/hourUpdates.js';
import { mergePass } from '../live/passMerge.js';
import type { Logger } from '../log.js';
import type { CoverageGauges } from '../outputs/metrics/coverageGauges.js';
import { MapRaster, writeMapPng } from '../outputs/files/mapPng.js';
import type { SelfMetrics } from '../outputs/metrics/selfMetrics.js';
import { coldPass, type ColdPassResult } from '../scan/coldPass.js';
import { HourCache } from '../scan/hourCache.js';
import { parseHourName } from '../store/hourName.js';
import { hourDir, mapFileName, qualityDir } from '../store/layout.js';
import type { ProblemLog } from '../store/problems.js';
import type { CoverageState } from '../live/coverageState.js';
import { LatestWins } from './latestWins.js';
import { recordPass, type PassSummary } from './passRecord.js';

/** Maps are redrawn at most about once a second: gauges follow every update, pictures need not. */
export const MAP_MIN_GAP_MS = 1000;

export interface CheckerDeps {
  readonly config: DaemonConfig;
  readonly state: CoverageState;
  readonly gauges: CoverageGauges;
  readonly metrics: SelfMetrics;
  readonly log: Logger;
  readonly report: ProblemLog;
  /** Called after every publish (the daemon writes the textfile / static page from it). */
  readonly afterPublish?: (c: QualityChecker) => void;
}

/**
 * Owns one channel × quality: its per-hour results (the cache that live updates patch),
 * and publishing them to the state, the gauges and the map.
 */
export class QualityChecker {
  /** Per-hour results in hour order (replaced whole on every change: readers keep a consistent list). */
  private hours: readonly HourResult[] = [];
  private readonly mapWrites: LatestWins;
  /** The map's image between draws (only changed columns are laid out again). */
  private readonly raster = new MapRaster();
  /** What is published now; live updates patch it. */
  private coverage: QualityCoverage | null = null;
  private passChain: Promise<unknown> = Promise.resolve();
  private queuedPass: Promise<PassSummary | null> | null = null;
  /** Live updates: dirty hours, debounce, re-read. */
  private readonly updates: HourUpdates;
  /** Hour results by folder stamp, so periodic passes re-read only changed folders. */
  private readonly cache = new HourCache();
  /** Hours last found there and unreadable: they keep their held results. */
  private readonly unreadable = new Set<string>();
  /** Set while live watching is healthy: a full pass then checks the live state. */
  compareWithLive = false;

  constructor(
    readonly channel: string,
    readonly quality: string,
    private readonly deps: CheckerDeps,
  ) {
    this.mapWrites = new LatestWins((e) => {
      deps.metrics.errors.inc({ kind: 'map_write' });
      deps.log.error({ channel, quality, err: e }, 'cannot write coverage map');
    }, MAP_MIN_GAP_MS);
    this.updates = new HourUpdates({
      read: async (hour) => {
        const r = await rereadHour({ base: deps.config.baseDir, channel, quality, report: deps.report }, hour);
        if (r === 'unreadable') {
          this.unreadable.add(hour);
          return undefined; // kept as held
        }
        if (r !== undefined) this.readAgain(hour);
        return r;
      },
      apply: (changes) => {
        deps.metrics.liveUpdates.inc(this.labels);
        this.patch(changes);
      },
      failed: (e) => {
        deps.metrics.errors.inc({ kind: 'live_update' });
        deps.log.error({ ...this.labels, err: e }, 'live update failed');
      },
    });
  }

  get labels(): { channel: string; quality: string } {
    return { channel: this.channel, quality: this.quality };
  }

  /** The hour results currently held, in hour order. */
  hourResults(): HourResult[] {
    return this.hours.slice();
  }

  /**
   * Reads every hour from disk (`batched`: the first pass, see ColdPassOptions). Returns null when
   * stopped early (nothing is published then).
   */
  async readAll(shouldStop?: () => boolean, batched = false): Promise<ColdPassResult | null> {
    const { config, report } = this.deps;
    return coldPass({
      batched,
      base: config.baseDir,
      channel: this.channel,
      quality: this.quality,
      // every hour on disk: --first-hour/--last-hour bound only the map (docs/coverage.md, Which hours have series)
      window: {},
      // --run-once reads everything once: a cache would only cost a stat per hour
      concurrency: config.concurrency,
      report,
      shouldStop,
      cache: config.runOnce ? undefined : this.cache,
    });
  }

  /**
   * A full pass: read everything, replace the per-hour results, publish. Passes of one
   * checker never overlap: a pass asked for while one runs waits for it (and passes asked
   * for meanwhile share one run).
   */
  fullPass(shouldStop?: () => boolean, batched = false): Promise<PassSummary | null> {
    if (this.queuedPass !== null) return this.queuedPass;
    const next = this.passChain.then(() => {
      this.queuedPass = null;
      return this.runFullPass(shouldStop, batched);
    });
    this.queuedPass = next;
    this.passChain = next.catch(() => null);
    return next;
  }

  private async runFullPass(shouldStop?: () => boolean, batched = false): Promise<PassSummary | null> {
    const t0 = performance.now();
    const pass = await this.readAll(shouldStop, batched);
    if (pass === null) return null;
    const unreadable = new Set(pass.unreadable);
    const merged = mergePass(pass.hours, this.hours, (hour) => this.updates.changedSince(hour, t0), this.compareWithLive, unreadable);
    for (const hour of this.unreadable) if (!unreadable.has(hour)) this.readAgain(hour);
    for (const hour of unreadable) this.unreadable.add(hour);
    // the quality folder was listed: if it becomes unreadable again, that counts anew
    this.deps.report.readable(qualityDir(this.deps.config.baseDir, this.channel, this.quality));
    for (const hour of merged.rereads) this.markDirty(hour);
    this.updates.forgetChangeTimes();
    if (merged.mismatched.length > 0) {
      this.deps.metrics.liveMismatches.inc(this.labels, merged.mismatched.length);
      this.deps.log.warn(
        { ...this.labels, hours: merged.mismatched.slice(0, 20), count: merged.mismatched.length },
        'periodic pass found hours the live state had wrong (missed watch events); corrected',
      );
    }
    this.cache.retain(new Set(pass.hours.map((h) => h.hour)));
    const cov = this.publish(merged.hours);
    void this.rewriteMissingMap();
    return recordPass(this.deps, this.labels, cov, pass.segments, performance.now() - t0);
  }

  /** An hour that was unreadable was read (or is gone): it no longer keeps old results, and its next failure counts. */
  private readAgain(hour: string): void {
    if (this.unreadable.delete(hour)) this.deps.report.readable(hourDir(this.deps.config.baseDir, this.channel, this.quality, hour));
  }

  /** Marks an hour changed on disk; it is re-read and republished shortly (bursts coalesce). */
  markDirty(hour: string): void {
    this.cache.forget(hour);
    this.updates.markDirty(hour);
  }

  /** Resolves when no live update is waiting or running. */
  settled(): Promise<void> {
    return this.updates.settled();
  }

  /** Replaces (or, with null, drops) some hours' results, by hour folder name, and publishes. Used by live updates. */
  patch(changes: ReadonlyMap<string, HourResult | null>): QualityCoverage {
    const byStart = new Map<number, HourResult | null>();
    for (const [hour, r] of changes) {
      const start = r?.start ?? parseHourName(hour);
      if (start !== null) byStart.set(start, r);
    }
    return this.publish(withHours(this.hours, byStart), new Set(byStart.keys()));
  }

  private get mapOptions(): MapOptions {
    const { config } = this.deps;
    return { firstHour: config.firstHour, lastHour: config.lastHour, pixelSeconds: config.pixelLength, rows: config.rows };
  }

  /**
   * Takes a new hour list and publishes what it changes: gauges of hours whose values
   * changed, state, metrics and (soon) the map. After the first publish only the changed
   * hours (and their neighbours) are derived again.
   */
  private publish(hours: readonly HourResult[], changed?: ReadonlySet<number>): QualityCoverage {
    const { state, gauges, metrics } = this.deps;
    let mapChanged: boolean;
    let cov: QualityCoverage;
    if (this.coverage === null) {
      cov = qualityCoverage(hours, this.mapOptions);
      gauges.apply(this.channel, this.quality, cov.gauges);
      mapChanged = true;
    } else {
      const change = updateQualityCoverage(this.coverage, hours, changed ?? changedStarts(this.hours, hours), this.mapOptions);
      cov = change.coverage;
      gauges.applyChanges(this.channel, this.quality, change.gauges);
      mapChanged = change.mapChanged;
    }
    this.hours = hours;
    this.coverage = cov;
    state.set({ channel: this.channel, quality: this.quality, coverage: cov, updatedAt: Date.now() });
    metrics.hours.set(this.labels, cov.hours.length);
    if (cov.newestEnd === null) metrics.newestSegmentEnd.remove(this.labels);
    else metrics.newestSegmentEnd.set(this.labels, cov.newestEnd / 1e6);
    if (mapChanged) this.writeMap();
    this.deps.afterPublish?.(this);
    return cov;
  }

  /** Writes (throttled) the newest map when the write runs. */
  private writeMap(): void {
    this.mapWrites.run(() =>
      writeMapPng(this.deps.config.outputDir, this.channel, this.quality, this.coverage?.map ?? null, this.raster).then(() => undefined),
    );
  }

  /**
   * A map file that was deleted is written again at the next pass, though no pixel changed
   * (a redraw happens only when one does). One stat a pass, after any write under way.
   */
  private async rewriteMissingMap(): Promise<void> {
    await this.flush();
    // a failed write is being retried anyway; --run-once writes each map once
    if (this.coverage === null || this.coverage.map === null || this.mapWrites.retrying || this.deps.config.runOnce) return;
    try {
      await stat(path.join(this.deps.config.outputDir, mapFileName(this.channel, this.quality)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') this.writeMap();
    }
  }

  /** Resolves once the newest map is on disk. */
  flush(): Promise<void> {
    return this.mapWrites.idle();
  }
}
