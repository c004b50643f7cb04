import type { HourResult } from './hourAnalysis.js';
import { mergeSpans, uncoveredSpans } from './spans.js';
import { EPS_US, HOUR_US, type Interval } from './types.js';

/**
 * The one definition of a **window hole** that every surface besides the per-hour gauges
 * uses: the status page, the JSON API, `segcov check`, the `segcov_window_*` gauges
 * and the textfile. docs/coverage.md explains it with examples.
 *
 * - The **window** starts at `start` when one is given (`--first-hour`, `--since`), else at
 *   the start of the earliest best segment: the time before recording began is no more a
 *   hole than the live edge is (the map still starts at the top of that hour: docs/coverage.md,
 *   "The map").
 * - It ends at `end` when one is given (`--last-hour` + 1 h, `--until`), but never after
 *   both `now` and the newest segment's end: the future is not a hole, and recorded time is
 *   not the future (a clock behind the recorder's cuts nothing recorded). Without `end` it
 *   ends where the newest segment ends (a recording's live edge is not a hole), before or
 *   after `now`; when nothing at all was recorded after the start, it runs to `now`, all of
 *   it one hole. So the window never ends after max(now, newest segment end).
 * - A **hole** is a stretch of the window longer than 10 ms (EPS) that no best
 *   segment covers, whatever hour it falls in: a whole missing hour is (part of) a hole.
 * - A **missing hour** is an hour lying wholly inside the window whose folder holds no best
 *   segment (absent, empty, or only temp and bad names).
 */
export interface WindowBounds {
  /** µs; window start. Undefined: the start of the earliest best segment. */
  readonly start?: number;
  /** µs; window end (exclusive). Undefined: the end of the newest segment. */
  readonly end?: number;
}

/** Which chain "covered" means: the raw chain (default) or the cutter's editable chain. */
export type Chain = 'raw' | 'editable';

export interface WindowReport {
  /** Null when the window has no length: nothing recorded and no start given, or start ≥ end. */
  readonly window: Interval | null;
  readonly holes: readonly Interval[];
  readonly holeUs: number;
  readonly longestHoleUs: number;
  /** Window length minus holes. */
  readonly coveredUs: number;
  /** coveredUs / window length × 100; null without a window. */
  readonly coveragePct: number | null;
  readonly missingHours: number;
  /** True when no best segment covers any instant of the window. */
  readonly nothingRecorded: boolean;
  /** The merged covered spans of the chain, over every hour (coveredUnion), for callers that need them too. */
  readonly covered: readonly Interval[];
  /**
   * What the store holds, in or out of the window: from the first covered instant to the
   * last (null: nothing). A window that holds none of it says so (severity.ts).
   */
  readonly recorded: Interval | null;
}

/** Spans covered by an hour's best segments: its chain [first, end) minus its own holes. */
function coveredSpans(h: HourResult, chain: Chain): Interval[] {
  if (h.chain === null) return [];
  const end = chain === 'raw' ? h.chain.reach : h.chain.editEnd;
  const own = chain === 'raw' ? h.rawHoles : h.editableHoles;
  const out: Interval[] = [];
  let cur = h.chain.first;
  for (const hole of [...own].sort((a, b) => a.start - b.start)) {
    if (hole.start > cur) out.push({ start: cur, end: hole.start });
    cur = Math.max(cur, hole.end);
  }
  if (end > cur) out.push({ start: cur, end });
  return out;
}

/** Pure: the merged covered spans of all hours, in time order; gaps of at most EPS are closed. */
export function coveredUnion(hours: readonly HourResult[], chain: Chain = 'raw'): Interval[] {
  return mergeSpans(
    hours.flatMap((h) => coveredSpans(h, chain)),
    EPS_US,
  );
}

/** Start of the earliest best segment, or undefined. */
function firstRecordedStart(hours: readonly HourResult[]): number | undefined {
  let first: number | undefined;
  for (const h of hours) if (h.chain !== null && (first === undefined || h.chain.first < first)) first = h.chain.first;
  return first;
}

/** Pure: the window the bounds give at `nowUs`, or null when it has no length. */
export function resolveWindow(covered: readonly Interval[], hours: readonly HourResult[], b: WindowBounds, nowUs: number): Interval | null {
  const start = b.start ?? firstRecordedStart(hours);
  if (start === undefined) return null;
  // The newest segment's end, even when it adds nothing to the covered spans (a zero-length
  // newest segment after a gap still ends the window there, and the gap is a hole).
  let newest = covered.length === 0 ? undefined : covered[covered.length - 1].end;
  for (const h of hours) if (h.newestEnd !== null && (newest === undefined || h.newestEnd > newest)) newest = h.newestEnd;
  let end: number;
  if (b.end !== undefined) {
    // the future is not a hole, but recorded time is not the future: a clock behind the
    // recorder's cuts nothing that was recorded (the same rule as without an end)
    end = Math.min(b.end, Math.max(nowUs, newest ?? nowUs));
  } else {
    end = newest !== undefined && newest > start ? newest : nowUs;
  }
  return end > start ? { start, end } : null;
}

/**
 * Pure: true when `window`, resolved at some now, is the window of every later now too, so
 * that whatever was computed from it stays right until the hours or bounds change; false
 * while it still follows the clock (an end bound not reached yet, or nothing recorded after
 * the start). The window's end never moves back as now grows, so being the window of the
 * far future means being the window all the time in between.
 */
export function windowSettled(
  window: Interval | null,
  covered: readonly Interval[],
  hours: readonly HourResult[],
  b: WindowBounds,
): boolean {
  const final = resolveWindow(covered, hours, b, Number.MAX_SAFE_INTEGER);
  return window === null || final === null ? window === final : window.start === final.start && window.end === final.end;
}

/** Pure: hours wholly inside `window` with no best segment (absent from the list, or chainless). */
export function missingHours(hours: readonly HourResult[], window: Interval): number {
  const recorded = new Set<number>();
  for (const h of hours) if (h.chain !== null) recorded.add(h.start);
  let n = 0;
  for (let t = Math.ceil(window.start / HOUR_US) * HOUR_US; t + HOUR_US <= window.end; t += HOUR_US) {
    if (!recorded.has(t)) n += 1;
  }
  return n;
}

/**
 * Pure: the window report of one channel and quality from its hour results (any order,
 * hours outside the window included: they are clipped away). No clock: `nowUs` is given.
 */
export function windowHoles(hours: readonly HourResult[], bounds: WindowBounds, nowUs: number, chain: Chain = 'raw'): WindowReport {
  const covered = coveredUnion(hours, chain);
  const recorded = covered.length === 0 ? null : { start: covered[0].start, end: covered[covered.length - 1].end };
  const window = resolveWindow(covered, hours, bounds, nowUs);
  if (window === null) {
    return {
      window,
      holes: [],
      holeUs: 0,
      longestHoleUs: 0,
      coveredUs: 0,
      coveragePct: null,
      missingHours: 0,
      nothingRecorded: true,
      covered,
      recorded,
    };
  }
  const holes = uncoveredSpans(window, covered);
  let holeUs = 0;
  let longestHoleUs = 0;
  for (const x of holes) {
    holeUs += x.end - x.start;
    longestHoleUs = Math.max(longestHoleUs, x.end - x.start);
  }
  const len = window.end - window.start;
  const nothingRecorded = holes.length === 1 && holes[0].start === window.start && holes[0].end === window.end;
  return {
    window,
    holes,
    holeUs,
    longestHoleUs,
    coveredUs: len - holeUs,
    coveragePct: ((len - holeUs) / len) * 100,
    missingHours: missingHours(hours, window),
    nothingRecorded,
    covered,
    recorded,
  };
}

/**
 * Pure: how much of the hour before the newest covered instant is covered (µs), or null
 * when nothing is. 3600 s means the stream ran the whole hour up to where it stopped: a
 * recording that then stalls stopped mid-stream (the single-node stall alert uses it).
 */
export function coveredHourBeforeNewest(covered: readonly Interval[]): number | null {
  const last = covered[covered.length - 1];
  if (last === undefined) return null;
  const from = last.end - HOUR_US;
  let sum = 0;
  for (const c of covered) if (c.end > from) sum += c.end - Math.max(c.start, from);
  return sum;
}
