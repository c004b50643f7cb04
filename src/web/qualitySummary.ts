import type { Interval } from '../coverage/types.js';
import { coverageWindowHoles } from '../coverage/coverageWindow.js';
import { DEFAULT_SEVERITY_RULES, pairSeverity, type Cause, type PairState, type SeverityRules } from '../coverage/severity.js';
import { windowHoles } from '../coverage/windowHoles.js';
import { formatHourName } from '../store/hourName.js';
import type { QualityStatus } from '../live/coverageState.js';
import { pairKey } from '../store/pairKey.js';

/** A hole with the hour folder it belongs to. */
export interface HoleView extends Interval {
  readonly hour: string;
}

/**
 * What the status page and the API say about one channel and quality.
 *
 * The **window** runs from `--first-hour`, else the start of the earliest segment, to the
 * end of `--last-hour` but never past now, else to the end of the newest segment, and its
 * **holes** are every uncovered stretch of it, whole missing hours included: the one
 * definition of src/coverage/windowHoles.ts, the same as `segcov check` and the
 * `segcov_window_*` gauges. Coverage is the window minus its holes, so the percentage and
 * the hole total always agree. The **state** is src/coverage/severity.ts's.
 */
export interface QualitySummary {
  readonly channel: string;
  readonly quality: string;
  /** Undefined until the first pass over this channel and quality has finished. */
  readonly status: QualityStatus | undefined;
  /** µs interval, or null when the window has no length (nothing recorded, no --first-hour). */
  readonly window: Interval | null;
  readonly hoursShown: number;
  readonly coveredUs: number;
  readonly coveragePct: number | null;
  readonly newestEnd: number | null;
  /** now − newestEnd (µs), or null. */
  readonly ageUs: number | null;
  /** Window holes of the raw chain, in time order, each with the hour it starts in. */
  readonly rawHoles: readonly HoleView[];
  /** The same for the editable chain (what a cutter can join without overlap). */
  readonly editableHoles: readonly HoleView[];
  readonly rawHoleUs: number;
  readonly longestHoleUs: number;
  /** Whole hours of the window with no best segment. */
  readonly missingHours: number;
  /** True when nothing in the window is recorded (or there is no window): shown red. */
  readonly nothingRecorded: boolean;
  /** Merged spans the raw chain covers, over every hour. */
  readonly rawCovered: readonly Interval[];
  /** From the first covered instant on disk to the last, window or not (null: nothing). */
  readonly recorded: Interval | null;
  /** ok, warn or bad, and why; null until the first pass over this channel and quality. */
  readonly state: PairState | null;
  readonly cause: Cause | null;
}

function withHour(holes: readonly Interval[]): HoleView[] {
  return holes.map((x) => ({ start: x.start, end: x.end, hour: formatHourName(x.start) }));
}

/** Pure: the summary of one channel and quality at time `nowUs`, judged by `rules` (the daemon's --long-hole, --max-age). */
export function summarizeQuality(
  channel: string,
  quality: string,
  status: QualityStatus | undefined,
  nowUs: number,
  rules: SeverityRules = DEFAULT_SEVERITY_RULES,
): QualitySummary {
  const cov = status?.coverage;
  const results = (cov?.hours ?? []).map((h) => h.result);
  const bounds = cov?.bounds ?? {};
  const raw = cov === undefined ? windowHoles(results, bounds, nowUs, 'raw') : coverageWindowHoles(cov, nowUs, 'raw');
  const editable = cov === undefined ? windowHoles(results, bounds, nowUs, 'editable') : coverageWindowHoles(cov, nowUs, 'editable');
  const newestEnd = cov?.newestEnd ?? null;
  const sev = status === undefined ? null : pairSeverity(raw, newestEnd, nowUs, rules);
  return {
    channel,
    quality,
    status,
    window: raw.window,
    hoursShown: cov?.map?.hours ?? 0,
    coveredUs: raw.coveredUs,
    coveragePct: raw.coveragePct,
    newestEnd,
    ageUs: newestEnd === null ? null : Math.max(0, nowUs - newestEnd),
    rawHoles: withHour(raw.holes),
    editableHoles: withHour(editable.holes),
    rawHoleUs: raw.holeUs,
    longestHoleUs: raw.longestHoleUs,
    missingHours: raw.missingHours,
    nothingRecorded: raw.nothingRecorded,
    rawCovered: raw.covered,
    recorded: raw.recorded,
    state: sev?.state ?? null,
    cause: sev?.cause ?? null,
  };
}

/**
 * The channels and qualities to show: the configured ones in config order, then any
 * other the state holds (sorted), each once.
 */
export function pairsToShow(
  channels: readonly string[],
  qualities: readonly string[],
  stateList: readonly QualityStatus[],
): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  const add = (c: string, q: string): void => {
    const k = pairKey(c, q);
    if (seen.has(k)) return;
    seen.add(k);
    out.push([c, q]);
  };
  for (const c of channels) for (const q of qualities) add(c, q);
  for (const s of stateList) add(s.channel, s.quality);
  return out;
}
