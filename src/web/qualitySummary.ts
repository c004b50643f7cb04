import { totalLength } from '../coverage/stitch.js';
import { HOUR_US, type Interval } from '../coverage/types.js';
import type { QualityStatus } from '../daemon/coverageState.js';

/** A hole with the hour folder it belongs to. */
export interface HoleView extends Interval {
  readonly hour: string;
}

/**
 * What the status page and the API say about one channel and quality.
 *
 * The **window** is the span the coverage map shows: from the start of its first hour
 * (`map.origin`) to the end of its last hour, cut at `now` when `now` falls inside it
 * (the hour being recorded counts only as far as it has happened). **Coverage** of the
 * window is the sum of `raw_coverage` of the hours inside it divided by its length,
 * capped at 100 %.
 */
export interface QualitySummary {
  readonly channel: string;
  readonly quality: string;
  /** Undefined until the first pass over this channel and quality has finished. */
  readonly status: QualityStatus | undefined;
  /** µs interval, or null when there is nothing to show (no map). */
  readonly window: Interval | null;
  readonly hoursShown: number;
  readonly coveredUs: number;
  readonly coveragePct: number | null;
  readonly newestEnd: number | null;
  /** now − newestEnd (µs), or null. */
  readonly ageUs: number | null;
  /** Raw holes (SPEC §2, §3) of every hour, in time order. */
  readonly rawHoles: readonly HoleView[];
  readonly editableHoles: readonly HoleView[];
  readonly rawHoleUs: number;
}

/** Pure: the summary of one channel and quality at time `nowUs`. */
export function summarizeQuality(channel: string, quality: string, status: QualityStatus | undefined, nowUs: number): QualitySummary {
  const cov = status?.coverage;
  const map = cov?.map ?? null;
  const rawHoles: HoleView[] = [];
  const editableHoles: HoleView[] = [];
  for (const h of cov?.hours ?? []) {
    for (const iv of h.rawHoles) rawHoles.push({ start: iv.start, end: iv.end, hour: h.result.hour });
    for (const iv of h.editableHoles) editableHoles.push({ start: iv.start, end: iv.end, hour: h.result.hour });
  }
  let window: Interval | null = null;
  let coveredUs = 0;
  let coveragePct: number | null = null;
  if (map !== null && cov !== undefined) {
    const fullEnd = map.origin + map.hours * HOUR_US;
    window = { start: map.origin, end: Math.min(fullEnd, Math.max(map.origin, nowUs)) };
    for (const h of cov.hours) {
      if (h.result.start >= map.origin && h.result.start < fullEnd) coveredUs += h.result.rawCoverage;
    }
    const len = window.end - window.start;
    coveragePct = len > 0 ? Math.min(100, (coveredUs / len) * 100) : null;
  }
  const newestEnd = cov?.newestEnd ?? null;
  return {
    channel, quality, status, window,
    hoursShown: map?.hours ?? 0,
    coveredUs, coveragePct, newestEnd,
    ageUs: newestEnd === null ? null : Math.max(0, nowUs - newestEnd),
    rawHoles, editableHoles,
    rawHoleUs: totalLength(rawHoles),
  };
}

/**
 * The channels and qualities to show: the configured ones in config order, then any
 * other the state holds (sorted), each once.
 */
export function pairsToShow(channels: readonly string[], qualities: readonly string[], stateList: readonly QualityStatus[]): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  const add = (c: string, q: string): void => {
    const k = `${c}\u0000${q}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push([c, q]);
  };
  for (const c of channels) for (const q of qualities) add(c, q);
  for (const s of stateList) add(s.channel, s.quality);
  return out;
}
