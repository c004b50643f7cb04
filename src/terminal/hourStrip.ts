import { EPS_US, HOUR_US, type Interval } from '../coverage/types.js';
import { formatIsoMicros } from '../time/isoTime.js';

/** What one character of a strip stands for. */
export type CellState = 'whole' | 'partial' | 'missing' | 'future' | 'outside';

const PLAIN: Record<CellState, string> = { whole: '#', partial: '+', missing: '.', future: ' ', outside: ' ' };
const ANSI: Record<CellState, string> = {
  whole: '\u001b[32m█',
  partial: '\u001b[33m▒',
  missing: '\u001b[31m░',
  future: '\u001b[90m·',
  outside: '\u001b[0m ',
};
const RESET = '\u001b[0m';

function overlapUs(spans: readonly Interval[], a: number, b: number): number {
  let s = 0;
  for (const x of spans) {
    const lo = Math.max(x.start, a);
    const hi = Math.min(x.end, b);
    if (hi > lo) s += hi - lo;
  }
  return s;
}

/**
 * Pure: the state of each cell of `cellUs` from `from`: the part of the cell inside
 * `window` is whole (no hole), partial, or missing (holes cover all of it but 10 ms);
 * a cell that starts at or after `nowUs` is "not yet".
 */
export function stripCells(
  from: number,
  cells: number,
  cellUs: number,
  window: Interval,
  holes: readonly Interval[],
  nowUs?: number,
): CellState[] {
  const out: CellState[] = [];
  for (let i = 0; i < cells; i++) {
    const a = from + i * cellUs;
    const b = a + cellUs;
    if (nowUs !== undefined && a >= nowUs) {
      out.push('future');
      continue;
    }
    const lo = Math.max(a, window.start);
    const hi = Math.min(b, window.end, nowUs ?? b);
    if (hi <= lo) {
      out.push('outside');
      continue;
    }
    const missing = overlapUs(holes, lo, hi);
    out.push(missing <= 0 ? 'whole' : missing >= hi - lo - EPS_US ? 'missing' : 'partial');
  }
  return out;
}

/** The cells as text: plain ASCII (`#`, `+`, `.`, space), or coloured block characters for a terminal. */
export function stripText(cells: readonly CellState[], color: boolean): string {
  if (!color) return cells.map((c) => PLAIN[c]).join('');
  return `${cells.map((c) => ANSI[c]).join('')}${RESET}`;
}

/** The legend printed under strips. */
export function stripLegend(color: boolean, unit: string): string {
  const k = (c: CellState): string => stripText([c], color);
  return `one character per ${unit}: ${k('whole')} whole  ${k('partial')} partly missing  ${k('missing')} missing  ${color ? k('future') : '(blank)'} not yet`;
}

const hourName = (us: number): string => formatIsoMicros(us).slice(0, 13);

/**
 * Pure: `segcov check`'s picture of one channel and quality: one character per UTC hour
 * of its window, e.g. `chan/source  2026-11-22T19 |####+####| 2026-11-23T03`. A window
 * of more than `maxWidth` hours is drawn with several hours a character (said at the end).
 */
export function hourStripLine(
  label: string,
  window: Interval | null,
  holes: readonly Interval[],
  nowUs: number,
  color: boolean,
  maxWidth = 168,
): string {
  if (window === null) return `${label}  (nothing recorded)`;
  const first = Math.floor(window.start / HOUR_US) * HOUR_US;
  const hours = Math.max(1, Math.ceil(window.end / HOUR_US) - first / HOUR_US);
  const per = Math.ceil(hours / maxWidth);
  const cells = stripCells(first, Math.ceil(hours / per), per * HOUR_US, window, holes, nowUs);
  const last = first + (hours - 1) * HOUR_US;
  return `${label}  ${hourName(first)} |${stripText(cells, color)}| ${hourName(last)}${per > 1 ? ` (${per} hours a character)` : ''}`;
}

/**
 * Pure: a strip of `span` in `width` equal cells (fewer for a span under `width`
 * seconds), for `segcov fill`'s before/after picture.
 */
export function spanStripLine(label: string, span: Interval, holes: readonly Interval[], color: boolean, width = 60): string {
  const len = span.end - span.start;
  const cells = Math.max(1, Math.min(width, Math.ceil(len / 1_000_000)));
  const cellUs = Math.ceil(len / cells);
  const states = stripCells(span.start, cells, cellUs, span, holes);
  return `${label} |${stripText(states, color)}| ${(cellUs / 1e6).toFixed(cellUs % 1_000_000 === 0 ? 0 : 3)} s a character`;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}
