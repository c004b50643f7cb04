import type { HourResult } from '../coverage/hourAnalysis.js';
import { EPS_US, type Interval } from '../coverage/types.js';
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
 * The **window** runs from `--since` (else the start of the first segment) to `--until`
 * (else the end of the newest segment: a recording's live edge is not a hole, as in
 * SPEC §3). A **hole** is any span of the window longer than 10 ms (SPEC's EPS) that
 * no best segment covers; **coverage** is the share of the window outside holes.
 */
export interface QualityCheck {
  readonly channel: string;
  readonly quality: string;
  /** Null when nothing was recorded and no `--since` gives the window a start. */
  readonly window: Interval | null;
  readonly holes: readonly Interval[];
  readonly holeUs: number;
  readonly coveragePct: number | null;
  readonly newestEnd: number | null;
  /** Segments counted (full, suspect, partial) in the hours read. */
  readonly segments: number;
  readonly problems: Readonly<Partial<Record<ProblemKind, number>>>;
  /** Set when `--max-age` is given and the newest segment is older (or there is none). */
  readonly stale: boolean;
}

/** Spans covered by best segments in an hour: its raw chain [first, reach) minus its own holes. */
function coveredSpans(h: HourResult): Interval[] {
  if (h.chain === null) return [];
  const out: Interval[] = [];
  let cur = h.chain.first;
  for (const hole of [...h.rawHoles].sort((a, b) => a.start - b.start)) {
    if (hole.start > cur) out.push({ start: cur, end: hole.start });
    cur = Math.max(cur, hole.end);
  }
  if (h.chain.reach > cur) out.push({ start: cur, end: h.chain.reach });
  return out;
}

/** Merged covered spans of all hours, in time order (gaps of at most EPS are closed). */
function coveredUnion(hours: readonly HourResult[]): Interval[] {
  const spans = hours.flatMap(coveredSpans).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last !== undefined && s.start <= last.end + EPS_US) {
      if (s.end > last.end) out[out.length - 1] = { start: last.start, end: s.end };
    } else {
      out.push(s);
    }
  }
  return out;
}

/** Pure: checks one channel and quality from its hour results (in hour order). */
export function checkQuality(
  channel: string, quality: string, hours: readonly HourResult[], w: CheckWindow,
  opts: { nowUs: number; maxAgeUs?: number; problems?: Partial<Record<ProblemKind, number>> },
): QualityCheck {
  const covered = coveredUnion(hours);
  let newestEnd: number | null = null;
  let segments = 0;
  for (const h of hours) {
    segments += h.counts.full + h.counts.suspect + h.counts.partial;
    if (h.newestEnd !== null && (newestEnd === null || h.newestEnd > newestEnd)) newestEnd = h.newestEnd;
  }
  const first = covered[0]?.start;
  const reach = covered[covered.length - 1]?.end;
  const start = w.since ?? first;
  // the newest segment's end, even when it adds nothing to the covered spans (a
  // zero-length newest segment after a gap still ends the window there)
  const newest = newestEnd === null ? reach : Math.max(newestEnd, reach ?? newestEnd);
  let end = w.until ?? newest;
  // Nothing recorded after --since and no --until: the window runs to now, all of it a hole.
  if (start !== undefined && (end === undefined || end <= start) && w.until === undefined && w.since !== undefined) end = Math.max(opts.nowUs, start);
  const window = start !== undefined && end !== undefined && end > start ? { start, end } : null;

  const holes: Interval[] = [];
  if (window !== null) {
    let cur = window.start;
    for (const c of covered) {
      if (c.end <= cur) continue;
      if (c.start >= window.end) break;
      if (c.start > cur + EPS_US) holes.push({ start: cur, end: Math.min(c.start, window.end) });
      cur = Math.max(cur, c.end);
      if (cur >= window.end) break;
    }
    if (window.end > cur + EPS_US) holes.push({ start: cur, end: window.end });
  }
  const holeUs = holes.reduce((s, x) => s + x.end - x.start, 0);
  const len = window === null ? 0 : window.end - window.start;
  const stale = opts.maxAgeUs !== undefined && (newestEnd === null || opts.nowUs - newestEnd > opts.maxAgeUs);
  return {
    channel, quality, window, holes, holeUs,
    coveragePct: window === null ? null : Math.max(0, ((len - holeUs) / len) * 100),
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
    rows.push(['holes', c.holes.length === 0 ? 'none' : `${c.holes.length}, total ${formatDuration(c.holeUs)}`]);
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
      newest_segment_end: c.newestEnd === null ? null : isoUtc(c.newestEnd),
      stale: c.stale,
      segments: c.segments,
      problems: c.problems,
    })),
  };
}
