import { createRequire } from 'node:module';

type DateTimeClass = typeof import('luxon').DateTime;
let dateTimeClass: DateTimeClass | undefined;

/**
 * luxon's DateTime, loaded on the first parse: most runs parse no time at all (the daemon
 * only with --first-hour or --last-hour), and luxon is some 6 ms of start-up.
 */
function luxonDateTime(): DateTimeClass {
  dateTimeClass ??= (createRequire(import.meta.url)('luxon') as typeof import('luxon')).DateTime;
  return dateTimeClass;
}

/**
 * Parses an ISO-8601 instant to µs since the epoch, keeping up to six fractional digits
 * (luxon alone stops at milliseconds, and segment names carry microseconds). Times
 * without an offset are UTC. Throws a one-line Error when the text is not a time.
 */
export function parseIsoMicros(text: string): number {
  const t = text.trim();
  const dt = luxonDateTime().fromISO(t, { zone: 'utc', setZone: false });
  if (!dt.isValid) throw new Error(`"${text}" is not an ISO-8601 time (${dt.invalidExplanation ?? dt.invalidReason})`);
  const frac = /T[\d:]+[.,](\d+)/.exec(t)?.[1] ?? '';
  const extra = frac.length > 3 ? Number(`${frac.slice(3)}000`.slice(0, 3)) : 0;
  return dt.toMillis() * 1000 + extra;
}

export { formatIsoMicros } from './isoFormat.js';

/**
 * Parses an offset into a recording: seconds (`90`, `12.5`) or `[[HH:]MM:]SS[.fff]`.
 * Returns µs, or null when the text is neither.
 */
export function parseOffsetText(text: string): number | null {
  const m = /^(?:(?:(\d+):)?(\d+):)?(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (m === null) return null;
  const [h, mi, s] = [Number(m[1] ?? 0), Number(m[2] ?? 0), Number(m[3])];
  if (m[2] !== undefined && s >= 60) return null;
  if (m[1] !== undefined && mi >= 60) return null;
  return ((h * 60 + mi) * 60 + s) * 1_000_000 + Number(`${m[4] ?? ''}000000`.slice(0, 6));
}

const MIN_TIME_US = -62_167_219_200_000_000; // 0000-01-01T00:00:00Z
const MAX_TIME_US = 253_402_300_800_000_000; // 10000-01-01T00:00:00Z

/** Parses an ISO-8601 time (offset optional, UTC when absent) to µs, or null (also for years outside 0000-9999). */
export function parseIsoTime(text: string): number | null {
  if (text.trim() === '') return null;
  let us: number;
  try {
    us = parseIsoMicros(text);
  } catch {
    return null;
  }
  return Number.isSafeInteger(us) && us >= MIN_TIME_US && us < MAX_TIME_US ? us : null;
}
