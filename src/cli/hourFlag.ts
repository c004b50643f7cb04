import { HOUR_US } from '../coverage/types.js';
import { parseIsoMicros } from '../time/isoTime.js';

/**
 * Parses an ISO-8601 time (`2026-11-01T00`, `2026-11-01T07:30:00Z`, `2026-11-01`) and
 * truncates it to its UTC hour, in µs. Times without an offset are UTC. Like the
 * replaced checker's parser it also takes a space for the `T` (`2026-11-23 12:00`).
 * Throws a one-line Error when the text is not a time.
 */
export function parseHourFlag(text: string): number {
  const t = text.trim().replace(/^(\d{4}-\d{2}-\d{2}) +(?=\d)/, '$1T');
  try {
    return Math.floor(parseIsoMicros(t) / HOUR_US) * HOUR_US;
  } catch {
    throw new Error(`"${text}" is not an ISO-8601 time (e.g. 2026-11-01T07:00:00Z or 2026-11-01 07:00)`);
  }
}
