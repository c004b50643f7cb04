import type { HourResult } from '../coverage/hourAnalysis.js';
import { DEFAULT_LONG_HOLE_US, orderHoles, pairSeverity, type Cause, type PairState } from '../coverage/severity.js';
import type { Interval } from '../coverage/types.js';
import { windowHoles } from '../coverage/windowHoles.js';
import type { ProblemKind } from '../store/problems.js';
import { textTable } from '../terminal/textTable.js';
import { displayUtc, formatDuration, formatPercent, isoUtc } from '../web/format.js';
import { reasonText } from '../web/severityText.js';

/** The window `segcov check` looks at (µs); either end may be open. */
export interface CheckWindow {
  readonly since?: number;
  readonly until?: number;
}

/**
 * The verdict on one channel and quality.
 *
 * The window and its holes are the project's one definition (src/coverage/windowHoles.ts,
 * docs/coverage.md): the window runs from `--since` (else the start of the first segment)
 * to `--until` (never past now; else the end of the newest segment: a live edge is not a
 * hole). A **hole** is any span of the window longer than 10 ms that no best segment
 * covers; **coverage** is the share of the window outside holes. The **state** is the one
 * severity definition (src/coverage/severity.ts).
 */
export interface QualityCheck {
  readonly channel: string;
  readonly quality: string;
  /** Null when nothing was recorded and no `--since` gives the window a start. */
  readonly window: Interval | null;
  readonly holes: readonly Interval[];
  readonly holeUs: number;
  readonly longestHoleUs: number;
  /** Whole hours of the window without a best segment. */
  readonly missingHours: number;
  readonly coveragePct: number | null;
  readonly newestEnd: number | null;
  /** Segments counted (full, suspect, partial) in the hours read. */
  readonly segments: number;
  readonly problems: Readonly<Partial<Record<ProblemKind, number>>>;
  /** Set when `--max-age` is given and the newest segment is older (or there is none). */
  readonly stale: boolean;
  /** ok, warn or bad, and why (src/coverage/severity.ts). */
  readonly state: PairState;
  readonly cause: Cause;
  /** From the first covered instant on disk to the last, in the hours read (null: none). */
  readonly recorded: Interval | null;
}

/** How `check` judges and prints: `--strict`, `--all`, `--long-hole`. */
export interface CheckRules {
  /** Any hole fails, as before states existed. */
  readonly strict?: boolean;
  /** List every hole, not only the longest `HOLES_LISTED`. */
  readonly all?: boolean;
  readonly longHoleUs?: number;
}

/** Holes the text report lists per pair without `--all`, longest first. */
export const HOLES_LISTED = 10;

/** Pure: checks one channel and quality from its hour results (in hour order). */
export function checkQuality(
  channel: string,
  quality: string,
  hours: readonly HourResult[],
  w: CheckWindow,
  opts: { nowUs: number; maxAgeUs?: number; longHoleUs?: number; problems?: Partial<Record<ProblemKind, number>> },
): QualityCheck {
  let newestEnd: number | null = null;
  let segments = 0;
  for (const h of hours) {
    segments += h.counts.full + h.counts.suspect + h.counts.partial;
    if (h.newestEnd !== null && (newestEnd === null || h.newestEnd > newestEnd)) newestEnd = h.newestEnd;
  }
  // The one window-hole definition of every surface (src/coverage/windowHoles.ts).
  const r = windowHoles(hours, { start: w.since, end: w.until }, opts.nowUs);
  const stale = opts.maxAgeUs !== undefined && (newestEnd === null || opts.nowUs - newestEnd > opts.maxAgeUs);
  const sev = pairSeverity(r, newestEnd, opts.nowUs, { longHoleUs: opts.longHoleUs ?? DEFAULT_LONG_HOLE_US, maxAgeUs: opts.maxAgeUs });
  return {
    channel,
    quality,
    window: r.window,
    holes: r.holes,
    holeUs: r.holeUs,
    longestHoleUs: r.longestHoleUs,
    missingHours: r.missingHours,
    coveragePct: r.coveragePct,
    newestEnd,
    segments,
    problems: opts.problems ?? {},
    stale,
    state: sev.state,
    cause: sev.cause,
    recorded: r.recorded,
  };
}

/**
 * True when the quality passes: it is not bad. `--strict` keeps the rule from before
 * states: a window with something recorded, no hole at all, not stale.
 */
export function passes(c: QualityCheck, strict = false): boolean {
  if (strict) return c.window !== null && c.holes.length === 0 && !c.stale && c.segments > 0;
  return c.state !== 'bad';
}

/** Exit status of `segcov check`: 0 when every quality passes, else 1. */
export function checkExitCode(results: readonly QualityCheck[], strict = false): 0 | 1 {
  return results.every((c) => passes(c, strict)) ? 0 : 1;
}

/** `OK`, `WARN – 3 short holes, longest 4 s`, `BAD – 1 missing hour`. */
function headline(c: QualityCheck): string {
  return c.state === 'ok' ? 'OK' : `${c.state.toUpperCase()} – ${reasonText(c.cause)}`;
}

/** The verdict under the report. */
function verdict(results: readonly QualityCheck[], rules: CheckRules): string {
  const n = `${results.length} channel/quality pair(s)`;
  if (rules.strict === true) {
    const failing = results.filter((c) => !passes(c, true)).length;
    return failing === 0 ? `OK: no hole in ${n}.` : `FAIL (--strict): ${failing} of ${n} have holes or no recording.`;
  }
  const bad = results.filter((c) => c.state === 'bad').length;
  const warn = results.filter((c) => c.state === 'warn').length;
  if (bad > 0) return `FAIL: ${bad} of ${n} bad${warn > 0 ? `, ${warn} with short holes only` : ''}.`;
  if (warn > 0)
    return `OK: no pair is bad; ${warn} of ${n} have short holes only (under --long-hole ${formatDuration(rules.longHoleUs ?? DEFAULT_LONG_HOLE_US)}).`;
  return `OK: no hole in ${n}.`;
}

const PROBLEM_TEXT: Record<ProblemKind, string> = {
  bad_name: 'bad segment names',
  skipped_folder: 'folders that are not hours',
  not_a_folder: 'hour names that are not folders',
  unreadable: 'unreadable files or folders',
  vanished: 'files that vanished while read',
  missing_base: 'missing folders (channel or quality not found)',
};

/**
 * Pure: the human-readable report, one block per channel and quality, then a verdict
 * line. Holes are listed longest first: the first `HOLES_LISTED`, then how many shorter
 * ones were left out (`--all`: every one).
 */
export function formatCheckText(results: readonly QualityCheck[], nowUs: number, rules: CheckRules = {}): string {
  const lines: string[] = [];
  for (const c of results) {
    lines.push(`${c.channel} / ${c.quality}: ${headline(c)}`);
    const rows: string[][] = [];
    rows.push([
      'window',
      c.window === null
        ? 'none: no segment found'
        : `${displayUtc(c.window.start)} – ${displayUtc(c.window.end)} UTC (${formatDuration(c.window.end - c.window.start)})`,
    ]);
    if (c.cause.kind === 'window_misses_recording') {
      rows.push(['recorded', `${displayUtc(c.cause.recorded.start)} – ${displayUtc(c.cause.recorded.end)} UTC, outside the window`]);
    }
    rows.push(['coverage', formatPercent(c.coveragePct)]);
    rows.push([
      'newest',
      c.newestEnd === null
        ? 'no segment'
        : `${displayUtc(c.newestEnd)} UTC (${formatDuration(Math.max(0, nowUs - c.newestEnd))} ago)${c.stale ? ' – older than --max-age' : ''}`,
    ]);
    rows.push([
      'holes',
      c.holes.length === 0 ? 'none' : `${c.holes.length}, total ${formatDuration(c.holeUs)}, longest ${formatDuration(c.longestHoleUs)}`,
    ]);
    if (c.missingHours > 0) rows.push(['missing', `${c.missingHours} whole hour(s) with no segment`]);
    const problems = Object.entries(c.problems)
      .filter(([, n]) => n !== undefined && n > 0)
      .map(([k, n]) => `${n} ${PROBLEM_TEXT[k as ProblemKind]}`);
    if (problems.length > 0) rows.push(['problems', problems.join('; ')]);
    lines.push(...textTable(rows, '  '));
    if (c.holes.length > 0) {
      const shown = orderHoles(c.holes, 'length').slice(0, rules.all === true ? undefined : HOLES_LISTED);
      const holeRows = [['#', 'start (UTC)', 'end (UTC)', 'length']];
      for (const [i, x] of shown.entries())
        holeRows.push([String(i + 1), displayUtc(x.start), displayUtc(x.end), formatDuration(x.end - x.start)]);
      lines.push(...textTable(holeRows, '    '));
      const left = c.holes.length - shown.length;
      if (left > 0) lines.push(`    … and ${left} shorter hole(s) not listed (--all lists every hole)`);
    }
    lines.push('');
  }
  lines.push(verdict(results, rules));
  return `${lines.join('\n')}\n`;
}

/** Pure: the `--json` report. Times are ISO-8601 UTC with microseconds, lengths in seconds. */
export function checkJson(results: readonly QualityCheck[], w: CheckWindow, nowUs: number, rules: CheckRules = {}): unknown {
  return {
    ok: checkExitCode(results, rules.strict) === 0,
    strict: rules.strict === true,
    long_hole: (rules.longHoleUs ?? DEFAULT_LONG_HOLE_US) / 1e6,
    checked_at: isoUtc(nowUs),
    since: w.since === undefined ? null : isoUtc(w.since),
    until: w.until === undefined ? null : isoUtc(w.until),
    qualities: results.map((c) => ({
      channel: c.channel,
      quality: c.quality,
      ok: passes(c, rules.strict),
      state: c.state,
      reason: reasonText(c.cause),
      window: c.window === null ? null : { start: isoUtc(c.window.start), end: isoUtc(c.window.end) },
      recorded: c.recorded === null ? null : { start: isoUtc(c.recorded.start), end: isoUtc(c.recorded.end) },
      window_misses_recording: c.cause.kind === 'window_misses_recording',
      coverage_percent: c.coveragePct,
      // every hole, in time order (the text report lists the longest first)
      holes: c.holes.map((x) => ({ start: isoUtc(x.start), end: isoUtc(x.end), duration: (x.end - x.start) / 1e6 })),
      hole_duration: c.holeUs / 1e6,
      longest_hole: c.longestHoleUs / 1e6,
      missing_hours: c.missingHours,
      newest_segment_end: c.newestEnd === null ? null : isoUtc(c.newestEnd),
      stale: c.stale,
      segments: c.segments,
      problems: c.problems,
    })),
  };
}
