/**
 * How times, lengths and percentages are written, by the server and by the status page's
 * browser script (src/web/page/) alike: one copy for both, so nothing here (or in what it
 * imports) may import Node or a package.
 */
import { formatIsoMicros } from '../time/isoFormat.js';
import { SECOND_US } from '../coverage/types.js';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Splits µs since the epoch into a UTC Date (ms precision) and the µs below it. */
function parts(us: number): { d: Date; micro: number } {
  const ms = Math.floor(us / 1000);
  return { d: new Date(ms), micro: us - ms * 1000 };
}

/** `2026-11-01T07:00:02.500000Z`: ISO-8601 UTC with all six fractional digits. */
export function isoUtc(us: number): string {
  return formatIsoMicros(us);
}

/**
 * `2026-11-01 07:00:02` for people: the fraction is shown only when there is one,
 * trimmed of trailing zeros (`07:00:02.5`), so exact hole ends stay visible.
 */
export function displayUtc(us: number): string {
  const { d, micro } = parts(us);
  const frac = `${pad(d.getUTCMilliseconds(), 3)}${pad(micro, 3)}`.replace(/0+$/, '');
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date} ${time}${frac === '' ? '' : `.${frac}`}`;
}

/** A length for people: `0.25 s`, `5 s`, `12 min 05 s`, `3 h 02 min 05 s`. Exact to the ms below a minute. */
export function formatDuration(us: number): string {
  const neg = us < 0;
  const abs = Math.abs(us);
  if (abs < 60 * SECOND_US) {
    const ms = Math.round(abs / 1000);
    const text = (ms / 1000).toFixed(3).replace(/\.?0+$/, '');
    return `${neg ? '-' : ''}${text} s`;
  }
  const s = Math.round(abs / SECOND_US);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const body = h > 0 ? `${h} h ${pad(m)} min ${pad(sec)} s` : `${m} min ${pad(sec)} s`;
  return `${neg ? '-' : ''}${body}`;
}

/**
 * A coverage percentage that never rounds a gap away: 100 % only when nothing is
 * missing, and at most 99.99 % when anything is.
 */
export function formatPercent(pct: number | null): string {
  if (pct === null) return '–';
  if (pct >= 100) return '100 %';
  const floored = Math.floor(pct * 100) / 100;
  return `${floored.toFixed(2)} %`;
}
