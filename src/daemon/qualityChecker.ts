import type { DaemonConfig } from '../config/daemonConfig.js';
import type { HourResult } from '../coverage/hourAnalysis.js';
import { qualityCoverage, type QualityCoverage } from '../coverage/qualityCoverage.js';
import type { Logger } from '../log.js';
import type { CoverageMap } from '../coverage/mapPixels.js';
import type { CoverageGauges } from '../outputs/coverageGauges.js';
import { writeMapPng } from '../outputs/mapPng.js';
import type { SelfMetrics } from '../outputs/selfMetrics.js';
import { analyzeHourFolder, coldPass } from '../scan/coldPass.js';
import { HourCache } from '../scan/hourCache.js';
import { parseHourName } from '../store/hourName.js';
import type { ProblemSink } from '../store/problems.js';
import type { CoverageState } from './coverageState.js';
import { LatestWins } from './latestWins.js';

/** Maps are redrawn at most about once a second: gauges follow every update, pictures need not. */
export const MAP_MIN_GAP_MS = 1000;

/** How long a live update waits for more events of the same burst. */
export const LIVE_DEBOUNCE_MS = 50;

export interface CheckerDeps {
  readonly config: DaemonConfig;
  readonly state: CoverageState;
  readonly gauges: CoverageGauges;
  readonly metrics: SelfMetrics;
  readonly log: Logger;
  readonly report: ProblemSink;
  /** Called after every publish (the daemon writes the textfile / static page from it). */
  readonly afterPublish?: (c: QualityChecker) => void;
}

/** Summary of one full pass, as logged. */
export interface PassSummary {
  readonly hours: number;
  readonly segments: number;
  readonly rawHoles: number;
  readonly ms: number;
}

/**
 * Owns one channel × quality: its per-hour results (the cache that live updates patch),
 * and publishing them to the state, the gauges and the map.
 */
export class QualityChecker {
  /** Per-hour results, by hour folder name. */
  private hours = new Map<string, HourResult>();
  private readonly mapWrites: LatestWins;
  private lastCoverage: QualityCoverage | null = null;
  private passChain: Promise<unknown> = Promise.resolve();
  private queuedPass: Promise<PassSummary | null> | null = null;
  /** Hours changed on disk and not yet re-read. */
  private readonly dirty = new Set<string>();
  /** When each hour last changed (performance.now()), to keep a pass from undoing newer live reads. */
  private readonly touchedAt = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  /** Hour results by folder stamp, so periodic passes re-read only changed folders. */
  private readonly cache = new HourCache();
  /** Set while live watching is healthy: a full pass then checks the live state. */
  compareWithLive = false;

  constructor(readonly channel: string, readonly quality: string, private readonly deps: CheckerDeps) {
    this.mapWrites = new LatestWins((e) => {
      deps.metrics.errors.inc({ kind: 'map_write' });
      deps.log.error({ channel, quality, err: String(e) }, 'cannot write coverage map');
    }, MAP_MIN_GAP_MS);
  }

  get labels(): { channel: string; quality: string } {
    return { channel: this.channel, quality: this.quality };
  }

  /** The hour results currently held, in hour order. */
  hourResults(): HourResult[] {
    return [...this.hours.values()].sort((a, b) => a.start - b.start);
  }

  /** Reads every hour from disk. Returns null when stopped early (nothing is published then). */
  async readAll(shouldStop?: () => boolean): Promise<{ hours: HourResult[]; segments: number } | null> {
    const { config, report } = this.deps;
    return coldPass({
      base: config.baseDir, channel: this.channel, quality: this.quality,
      // every hour on disk: --first-hour/--last-hour bound only the map (SPEC §3)
      window: {},
      concurrency: config.concurrency, report, shouldStop, cache: this.cache,
    });
  }

  /**
   * A full pass: read everything, replace the per-hour results, publish. Passes of one
   * checker never overlap: a pass asked for while one runs waits for it (and passes asked
   * for meanwhile share one run).
   */
  fullPass(shouldStop?: () => boolean): Promise<PassSummary | null> {
    if (this.queuedPass !== null) return this.queuedPass;
    const next = this.passChain.then(() => {
      this.queuedPass = null;
      return this.runFullPass(shouldStop);
    });
    this.queuedPass = next;
    this.passChain = next.catch(() => null);
    return next;
  }

  private async runFullPass(shouldStop?: () => boolean): Promise<PassSummary | null> {
    const t0 = performance.now();
    const pass = await this.readAll(shouldStop);
    if (pass === null) return null;
    this.hours = this.mergePass(pass.hours, t0);
    this.cache.retain(new Set(pass.hours.map((h) => h.hour)));
    const cov = this.publish();
    const ms = performance.now() - t0;
    const { metrics, log } = this.deps;
    metrics.passDuration.set(this.labels, ms / 1000);
    metrics.passes.inc(this.labels);
    metrics.lastPass.set(this.labels, Date.now() / 1000);
    metrics.segments.set(this.labels, pass.segments);
    let rawHoles = 0;
    for (const h of cov.hours) {
      rawHoles += h.rawHoles.length;
      log.debug({ ...this.labels, hour: h.result.hour, raw_coverage: h.result.rawCoverage / 1e6, raw_holes: h.rawHoles.length }, 'hour');
    }
    const summary = { hours: cov.hours.length, segments: pass.segments, rawHoles, ms: Math.round(ms) };
    log.info({ ...this.labels, ...summary }, `pass ${this.channel}/${this.quality}: ${summary.hours} hours, ${summary.segments} segments, ${rawHoles} raw holes in ${summary.ms} ms`);
    return summary;
  }

  /**
   * Takes a pass's results, except for hours that changed while it ran (the live copy is
   * newer; they are re-read). When the live state is trusted, every other hour where disk
   * and live state differ is a missed event: counted and logged.
   */
  private mergePass(fresh: readonly HourResult[], passStart: number): Map<string, HourResult> {
    const disk = new Map(fresh.map((h) => [h.hour, h]));
    const merged = new Map<string, HourResult>();
    const mismatched: string[] = [];
    for (const hour of new Set([...disk.keys(), ...this.hours.keys()])) {
      const live = this.hours.get(hour);
      const read = disk.get(hour);
      if ((this.touchedAt.get(hour) ?? -Infinity) >= passStart || this.dirty.has(hour)) {
        const keep = live ?? read;
        if (keep !== undefined) merged.set(hour, keep);
        this.markDirty(hour);
        continue;
      }
      if (this.compareWithLive && !sameHour(live, read)) mismatched.push(hour);
      if (read !== undefined) merged.set(hour, read);
    }
    this.touchedAt.clear();
    if (mismatched.length > 0) {
      this.deps.metrics.liveMismatches.inc(this.labels, mismatched.length);
      this.deps.log.warn({ ...this.labels, hours: mismatched.slice(0, 20), count: mismatched.length }, 'periodic pass found hours the live state had wrong (missed watch events); corrected');
    }
    return merged;
  }

  /** Marks an hour changed on disk; it is re-read and republished shortly (bursts coalesce). */
  markDirty(hour: string): void {
    this.dirty.add(hour);
    this.cache.forget(hour);
    this.touchedAt.set(hour, performance.now());
    this.scheduleFlush();
  }

  /** Resolves when no live update is waiting or running. */
  async settled(): Promise<void> {
    while (this.flushTimer !== null || this.flushing !== null) {
      if (this.flushing !== null) await this.flushing;
      else await new Promise((r) => setTimeout(r, LIVE_DEBOUNCE_MS));
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null || this.flushing !== null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushing = this.flushDirty()
        .catch((e: unknown) => {
          this.deps.metrics.errors.inc({ kind: 'live_update' });
          this.deps.log.error({ ...this.labels, err: String(e) }, 'live update failed');
        })
        .finally(() => {
          this.flushing = null;
          if (this.dirty.size > 0) this.scheduleFlush();
        });
    }, LIVE_DEBOUNCE_MS);
  }

  /** Re-reads the dirty hours and publishes them (a gone or unreadable hour is dropped). */
  private async flushDirty(): Promise<void> {
    const { config, report } = this.deps;
    const hours = [...this.dirty];
    this.dirty.clear();
    const changes = new Map<string, HourResult | null>();
    await Promise.all(hours.map(async (hour) => {
      const start = parseHourName(hour);
      if (start === null) return;
      const r = await analyzeHourFolder(config.baseDir, this.channel, this.quality, { name: hour, start }, report);
      changes.set(hour, r?.result ?? null);
    }));
    if (changes.size === 0) return;
    this.deps.metrics.liveUpdates.inc(this.labels);
    this.patch(changes);
  }

  /** Replaces (or, with null, drops) some hours' results and publishes. Used by live updates. */
  patch(changes: ReadonlyMap<string, HourResult | null>): QualityCoverage {
    for (const [hour, r] of changes) {
      if (r === null) this.hours.delete(hour);
      else this.hours.set(hour, r);
    }
    return this.publish();
  }

  /** Derives coverage from the held hours and updates gauges, state, metrics and (soon) the map. */
  publish(): QualityCoverage {
    const { config, state, gauges, metrics } = this.deps;
    const cov = qualityCoverage(this.hourResults(), {
      firstHour: config.firstHour, lastHour: config.lastHour, pixelSeconds: config.pixelLength, rows: config.rows,
    });
    gauges.apply(this.channel, this.quality, cov.gauges);
    state.set({ channel: this.channel, quality: this.quality, coverage: cov, updatedAt: Date.now() });
    metrics.hours.set(this.labels, cov.hours.length);
    if (cov.newestEnd === null) metrics.newestSegmentEnd.remove(this.labels);
    else metrics.newestSegmentEnd.set(this.labels, cov.newestEnd / 1e6);
    if (this.lastCoverage === null || !sameMap(this.lastCoverage.map, cov.map)) {
      this.mapWrites.run(() => writeMapPng(config.outputDir, this.channel, this.quality, cov.map).then(() => undefined));
    }
    this.lastCoverage = cov;
    this.deps.afterPublish?.(this);
    return cov;
  }

  /** Resolves once the newest map is on disk. */
  flush(): Promise<void> {
    return this.mapWrites.idle();
  }
}

function sameMap(a: CoverageMap | null, b: CoverageMap | null): boolean {
  if (a === null || b === null) return a === b;
  return a.width === b.width && a.height === b.height && a.origin === b.origin &&
    Buffer.from(a.pixels.buffer, a.pixels.byteOffset, a.pixels.length).equals(Buffer.from(b.pixels.buffer, b.pixels.byteOffset, b.pixels.length));
}

function sameHour(a: HourResult | undefined, b: HourResult | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}
