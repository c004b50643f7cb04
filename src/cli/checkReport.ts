import type { HourResult } from '../coverage/hourAnalysis.js';
import type { Interval } from '../coverage/types.js';
import { windowHoles } from '../coverage/windowHoles.js';
import type { ProblemKind } from '../store/problems.js';
import { displayUtc, formatDuration, formatPercent, isoUtc } from '../web/format.js';

/** The window `segcov check` looks at (µs); either end may be open. */
export interface CheckWindow {
  readonly since?: number;
  readonly until?: number;
}

/**
 * The verdict on one channel and quality.
 *
 * The window and its holes are the project's one definition (src/coverage/windowHoles.ts,
 * docs/coverage.md): the window runs from `--since` (else the start of the first hour with
 * a segment) to `--until` (never past now; else the end of the newest segment: a live edge
 * is not a hole). A **hole** is any span of the window longer than 10 ms that no best
 * segment covers; **coverage** is the share of the window outside holes.
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
}

/** Pure: checks one channel and quality from its hour results (in hour order). */
export function checkQuality(
  channel: string, quality: string, hours: readonly HourResult[], w: CheckWindow,
  opts: { nowUs: number; maxAgeUs?: number; problems?: Partial<Record<ProblemKind, number>> },
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
  return {
    channel, quality, window: r.window, holes: r.holes, holeUs: r.holeUs,
    longestHoleUs: r.longestHoleUs, missingHours: r.missingHours,
    coveragePct: r.coveragePct,
    newestEnd, segments, problems: opts.problems ?? {}, stale,
  };
}

/** True when the quality passes: a window with something recorded, no hole, not stale. */
export function passes(c: QualityCheck): boolean {
  return c.window !== null && c.holes.length === 0 && !c.stale && c.segments > 0;
}

/** Exit status of `segcov check`: 0 when every quality passes, else 1. */
export function checkExitCode(results: readonly QualityCheck[]): 0 | 1 {
  return results.every(passes) ? 0 : 1;
}

const PROBLEM_TEXT: Record<ProblemKind, string> = {
  bad_name: 'bad segment names',
  skipped_folder: 'folders that are not hours',
  not_a_folder: 'hour names that are not folders',
  unreadable: 'unreadable files or folders',
  vanished: 'files that vanished while read',
  missing_base: 'missing folders (channel or quality not found)',
};

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd());
}

/** Pure: the human-readable report, one block per channel and quality, then a verdict line. */
export function formatCheckText(results: readonly QualityCheck[], nowUs: number): string {
  const lines: string[] = [];
  for (const c of results) {
    lines.push(`${c.channel} / ${c.quality}: ${passes(c) ? 'OK' : 'FAIL'}`);
    const rows: string[][] = [];
    rows.push(['window', c.window === null ? 'none: no segment found'
      : `${displayUtc(c.window.start)} – ${displayUtc(c.window.end)} UTC (${formatDuration(c.window.end - c.window.start)})`]);
    rows.push(['coverage', formatPercent(c.coveragePct)]);
    rows.push(['newest', c.newestEnd === null ? 'no segment'
      : `${displayUtc(c.newestEnd)} UTC (${formatDuration(Math.max(0, nowUs - c.newestEnd))} ago)${c.stale ? ' – older than --max-age' : ''}`]);
    rows.push(['holes', c.holes.length === 0 ? 'none' : `${c.holes.length}, total ${formatDuration(c.holeUs)}, longest ${formatDuration(c.longestHoleUs)}`]);
    if (c.missingHours > 0) rows.push(['missing', `${c.missingHours} whole hour(s) with no segment`]);
    const problems = Object.entries(c.problems).filter(([, n]) => n !== undefined && n > 0)
      .map(([k, n]) => `${n} ${PROBLEM_TEXT[k as ProblemKind]}`);
    if (problems.length > 0) rows.push(['problems', problems.join('; ')]);
    lines.push(...table(rows, '  '));
    if (c.holes.length > 0) {
      const holeRows = [['#', 'start (UTC)', 'end (UTC)', 'length']];
      c.holes.forEach((x, i) => holeRows.push([String(i + 1), displayUtc(x.start), displayUtc(x.end), formatDuration(x.end - x.start)]));
      lines.push(...table(holeRows, '    '));
    }
    lines.push('');
  }
  const failing = results.filter((c) => !passes(c)).length;
  lines.push(failing === 0 ? `OK: no hole in ${results.length} channel/quality pair(s).`
    : `FAIL: ${failing} of ${results.length} channel/quality pair(s) have holes or no recording.`);
  return `${lines.join('\n')}\n`;
}

/** Pure: the `--json` report. Times are ISO-8601 UTC with microseconds, lengths in seconds. */
export function checkJson(results: readonly QualityCheck[], w: CheckWindow, nowUs: number): unknown {
  return {
    ok: checkExitCode(results) === 0,
    checked_at: isoUtc(nowUs),
    since: w.since === undefined ? null : isoUtc(w.since),
    until: w.until === undefined ? null : isoUtc(w.until),
    qualities: results.map((c) => ({
      channel: c.channel,
      quality: c.quality,
      ok: passes(c),
      window: c.window === null ? null : { start: isoUtc(c.window.start), end: isoUtc(c.window.end) },
      coverage_percent: c.coveragePct,
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
