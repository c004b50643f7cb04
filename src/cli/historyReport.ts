import type { Interval } from '../coverage/types.js';
import type { StoredIncident } from '../history/historyRecords.js';
import { textTable } from '../terminal/textTable.js';
import { displayUtc, formatDuration, formatPercent, isoUtc } from '../web/format.js';
import type { CheckWindow, QualityCheck } from './checkReport.js';

/**
 * `segcov report`: after the event, per channel and quality over a range, what was covered,
 * what is still missing (lost unless someone imports it), what was recovered and how long
 * that took, and the longest holes of either kind. The holes come from the store as it is
 * now (the one window-hole definition, as `segcov check`); the history file (when there is
 * one) says when each opened and when and how the recovered ones were filled.
 */

export interface LostHole extends Interval {
  /** When the hole history first saw it open (µs), or null when it has no record of it. */
  readonly openedAt: number | null;
}

export interface RecoveredHole extends Interval {
  readonly openedAt: number;
  readonly closedAt: number;
  /** Filled while segcov was down: the fill happened between `downSince` and closedAt. */
  readonly whileDown: boolean;
  readonly downSince: number | null;
}

export interface QualityReport {
  readonly check: QualityCheck;
  readonly lost: readonly LostHole[];
  readonly recovered: readonly RecoveredHole[];
  /** The longest holes, lost or recovered, longest first. */
  readonly longest: readonly (Interval & { readonly kind: 'lost' | 'recovered' })[];
}

const overlaps = (a: Interval, b: Interval): boolean => a.start < b.end && b.start < a.end;
const inRange = (x: Interval, w: CheckWindow): boolean =>
  (w.since === undefined || x.end > w.since) && (w.until === undefined || x.start < w.until);

/** Pure: one channel and quality's report from its check and the history's incidents (any pairs). */
export function qualityReport(
  check: QualityCheck,
  incidents: readonly StoredIncident[],
  range: CheckWindow,
  longestN: number,
): QualityReport {
  const mine = incidents.filter((i) => i.channel === check.channel && i.quality === check.quality);
  const lost: LostHole[] = check.holes.map((h) => {
    let openedAt: number | null = null;
    for (const i of mine) if (overlaps(i.span, h) && (openedAt === null || i.openedAt < openedAt)) openedAt = i.openedAt;
    return { start: h.start, end: h.end, openedAt };
  });
  const recovered: RecoveredHole[] = mine
    .filter((i) => i.closedAt !== null && (i.closedHow === 'filled' || i.closedHow === 'filled_while_down') && inRange(i.span, range))
    .map((i) => ({
      start: i.span.start,
      end: i.span.end,
      openedAt: i.openedAt,
      closedAt: i.closedAt as number,
      whileDown: i.closedHow === 'filled_while_down',
      downSince: i.downSince,
    }))
    .sort((a, b) => a.start - b.start);
  const longest = [
    ...lost.map((h) => ({ start: h.start, end: h.end, kind: 'lost' as const })),
    ...recovered.map((h) => ({ start: h.start, end: h.end, kind: 'recovered' as const })),
  ]
    .sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)
    .slice(0, longestN);
  return { check, lost, recovered, longest };
}

const fillText = (r: RecoveredHole): string =>
  `${formatDuration(r.closedAt - r.openedAt)}${r.whileDown ? ' (at most: filled while segcov was down)' : ''}`;

function rowsOf(r: QualityReport): { summary: string[][]; lost: string[][]; recovered: string[][]; longest: string[][] } {
  const c = r.check;
  const summary = [
    ['window', c.window === null ? 'none: no segment found' : `${displayUtc(c.window.start)} – ${displayUtc(c.window.end)} UTC`],
    ['coverage', formatPercent(c.coveragePct)],
    ['still missing', `${r.lost.length} hole(s), ${formatDuration(r.lost.reduce((s, h) => s + h.end - h.start, 0))}`],
    ['recovered', `${r.recovered.length} hole(s), ${formatDuration(r.recovered.reduce((s, h) => s + h.end - h.start, 0))}`],
  ];
  const lost = [
    ['start (UTC)', 'end (UTC)', 'length', 'opened'],
    ...r.lost.map((h) => [
      displayUtc(h.start),
      displayUtc(h.end),
      formatDuration(h.end - h.start),
      h.openedAt === null ? 'not in the history' : displayUtc(h.openedAt),
    ]),
  ];
  const recovered = [
    ['start (UTC)', 'end (UTC)', 'length', 'opened', 'filled', 'time to fill'],
    ...r.recovered.map((h) => [
      displayUtc(h.start),
      displayUtc(h.end),
      formatDuration(h.end - h.start),
      displayUtc(h.openedAt),
      displayUtc(h.closedAt),
      fillText(h),
    ]),
  ];
  const longest = [
    ['length', 'start (UTC)', 'end (UTC)', 'now'],
    ...r.longest.map((h) => [formatDuration(h.end - h.start), displayUtc(h.start), displayUtc(h.end), h.kind]),
  ];
  return { summary, lost, recovered, longest };
}

/** Pure: the human report (`history` says whether a history file was read). */
export function formatReportText(reports: readonly QualityReport[], history: string | null): string {
  const out: string[] = [history === null ? 'No hole history found: opening and fill times are unknown.' : `Hole history: ${history}`, ''];
  for (const r of reports) {
    const t = rowsOf(r);
    out.push(`${r.check.channel} / ${r.check.quality}`, ...textTable(t.summary, '  '));
    for (const [title, rows] of [
      ['still missing (lost unless imported)', t.lost],
      ['recovered', t.recovered],
      ['longest holes', t.longest],
    ] as const) {
      if (rows.length > 1) out.push(`  ${title}:`, ...textTable(rows, '    '));
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

function mdTable(rows: readonly string[][]): string[] {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    `| ${rows[0].map(esc).join(' | ')} |`,
    `|${rows[0].map(() => '---').join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ];
}

/** Pure: the report as Markdown, for a post-mortem. */
export function formatReportMarkdown(reports: readonly QualityReport[], history: string | null, range: CheckWindow, nowUs: number): string {
  const out: string[] = [
    '# Coverage report',
    '',
    `Range: ${range.since === undefined ? 'the first segment' : `${displayUtc(range.since)} UTC`} – ${range.until === undefined ? 'the newest segment' : `${displayUtc(range.until)} UTC`}; made ${displayUtc(nowUs)} UTC.`,
    history === null ? 'No hole history was found: opening and fill times are unknown.' : `Hole history: \`${history}\`.`,
    '',
  ];
  for (const r of reports) {
    const t = rowsOf(r);
    out.push(`## ${r.check.channel} / ${r.check.quality}`, '', ...mdTable([['', ''], ...t.summary]), '');
    for (const [title, rows] of [
      ['Still missing (lost unless imported)', t.lost],
      ['Recovered', t.recovered],
      ['Longest holes', t.longest],
    ] as const) {
      if (rows.length > 1) out.push(`### ${title}`, '', ...mdTable(rows), '');
    }
  }
  return `${out.join('\n')}\n`;
}

/** Pure: the `--json` report. Times ISO-8601 UTC with µs, lengths in seconds. */
export function reportJson(reports: readonly QualityReport[], history: string | null, range: CheckWindow, nowUs: number): unknown {
  const s = (us: number): number => us / 1e6;
  const span = (x: Interval): { start: string; end: string; duration: number } => ({
    start: isoUtc(x.start),
    end: isoUtc(x.end),
    duration: s(x.end - x.start),
  });
  return {
    generated_at: isoUtc(nowUs),
    history,
    since: range.since === undefined ? null : isoUtc(range.since),
    until: range.until === undefined ? null : isoUtc(range.until),
    qualities: reports.map((r) => ({
      channel: r.check.channel,
      quality: r.check.quality,
      window: r.check.window === null ? null : { start: isoUtc(r.check.window.start), end: isoUtc(r.check.window.end) },
      coverage_percent: r.check.coveragePct,
      lost: r.lost.map((h) => ({ ...span(h), opened_at: h.openedAt === null ? null : isoUtc(h.openedAt) })),
      recovered: r.recovered.map((h) => ({
        ...span(h),
        opened_at: isoUtc(h.openedAt),
        closed_at: isoUtc(h.closedAt),
        fill_delay_seconds: s(h.closedAt - h.openedAt),
        while_down: h.whileDown ? { from: h.downSince === null ? null : isoUtc(h.downSince), to: isoUtc(h.closedAt) } : null,
      })),
      longest: r.longest.map((h) => ({ ...span(h), kind: h.kind })),
    })),
  };
}
