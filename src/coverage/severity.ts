import { HOUR_US, SECOND_US, type Interval } from './types.js';
import type { WindowReport } from './windowHoles.js';

/**
 * How much one channel and quality's window matters to an operator, in one word: the one
 * definition the API, `segcov check`, the `segcov_window_state` gauge and the alerts share
 * (docs/coverage.md, "Severity").
 *
 * - `bad`: nothing recorded; the window holds none of the recording; the recording stopped
 *   (with a max age: the newest segment ended longer ago than that); a missing hour (a
 *   whole UTC hour inside a hole); or a hole at least `longHoleUs` long.
 * - `warn`: holes, all of them shorter than that.
 * - `ok`: no hole.
 */
export type PairState = 'ok' | 'warn' | 'bad';

/** The gauge's value of each state. */
export const STATE_VALUE: Readonly<Record<PairState, number>> = { ok: 0, warn: 1, bad: 2 };

export interface SeverityRules {
  /** µs: a hole this long or longer makes the pair bad (`--long-hole`). */
  readonly longHoleUs: number;
  /** µs: a newest segment that ended longer ago than this means the recording stopped (`--max-age`); undefined: never. */
  readonly maxAgeUs?: number;
}

/**
 * The default `--long-hole`, 60 s: thirty ~2 s segments. Shorter gaps are what a 24/7
 * recorder sees on a healthy day (a segment or a few lost to a network blip, and a
 * backfill from another node fills them); a minute gone means the recorder or its link
 * was down, and someone should look.
 */
export const DEFAULT_LONG_HOLE_US = 60 * SECOND_US;

export const DEFAULT_SEVERITY_RULES: SeverityRules = { longHoleUs: DEFAULT_LONG_HOLE_US };

/** Why a pair has its state: the first rule that matched, with the figures a reason names. */
export type Cause =
  | { readonly kind: 'nothing_recorded' }
  | { readonly kind: 'window_misses_recording'; readonly recorded: Interval }
  | { readonly kind: 'stopped'; readonly ageUs: number }
  | { readonly kind: 'missing_hours'; readonly count: number }
  | { readonly kind: 'long_holes'; readonly count: number; readonly longestUs: number }
  | { readonly kind: 'short_holes'; readonly count: number; readonly longestUs: number }
  | { readonly kind: 'no_hole' };

export interface Severity {
  readonly state: PairState;
  readonly cause: Cause;
}

/** The parts of a window report the state reads (a WindowReport fits). */
export type SeverityReport = Pick<WindowReport, 'holes' | 'longestHoleUs' | 'nothingRecorded' | 'recorded'>;

/**
 * Whole UTC hours lying inside the holes. Not the report's missingHours, which counts hour
 * folders without a best segment: a segment longer than an hour may cover the next hour
 * from its own folder, and that hour is not missing.
 */
export function hoursInHoles(holes: readonly Interval[]): number {
  let n = 0;
  for (const x of holes) n += Math.max(0, Math.floor(x.end / HOUR_US) - Math.ceil(x.start / HOUR_US));
  return n;
}

/**
 * Pure: the state of one channel and quality from its raw window report, the end of its
 * newest segment and `nowUs`. The causes are tried in the order above (most urgent
 * first), and the first that holds is given.
 */
export function pairSeverity(r: SeverityReport, newestEnd: number | null, nowUs: number, rules: SeverityRules): Severity {
  if (r.recorded === null) return { state: 'bad', cause: { kind: 'nothing_recorded' } };
  if (r.nothingRecorded) return { state: 'bad', cause: { kind: 'window_misses_recording', recorded: r.recorded } };
  if (isStale(newestEnd, nowUs, rules)) return { state: 'bad', cause: { kind: 'stopped', ageUs: nowUs - (newestEnd as number) } };
  const missing = hoursInHoles(r.holes);
  if (missing > 0) return { state: 'bad', cause: { kind: 'missing_hours', count: missing } };
  if (r.holes.length === 0) return { state: 'ok', cause: { kind: 'no_hole' } };
  const long = r.holes.filter((x) => x.end - x.start >= rules.longHoleUs).length;
  if (long > 0) return { state: 'bad', cause: { kind: 'long_holes', count: long, longestUs: r.longestHoleUs } };
  return { state: 'warn', cause: { kind: 'short_holes', count: r.holes.length, longestUs: r.longestHoleUs } };
}

/** True when a max age is set and the newest segment ended longer ago than it. */
function isStale(newestEnd: number | null, nowUs: number, rules: SeverityRules): boolean {
  return rules.maxAgeUs !== undefined && newestEnd !== null && nowUs - newestEnd > rules.maxAgeUs;
}

/**
 * Pure: the latest now at which pairSeverity may still give what it gives at `nowUs`
 * for the same report, or null when it gives the same for every later now. Only the max
 * age follows the clock: a recording that is not stale yet turns stale after it.
 */
export function severityHoldsUntil(newestEnd: number | null, nowUs: number, rules: SeverityRules): number | null {
  if (rules.maxAgeUs === undefined || newestEnd === null || isStale(newestEnd, nowUs, rules)) return null;
  return newestEnd + rules.maxAgeUs;
}

/** How `/api/v1/holes` and `segcov check` order holes: by time, or the longest first. */
export type HoleOrder = 'time' | 'length';

/** Pure: the holes in that order (a copy); longest first breaks ties by time. */
export function orderHoles<T extends Interval>(holes: readonly T[], order: HoleOrder): T[] {
  const out = holes.slice();
  if (order === 'length') out.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  return out;
}
