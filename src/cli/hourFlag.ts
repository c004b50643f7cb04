import { HOUR_US } from '../coverage/types.js';
import { parseIsoMicros } from '../time/isoTime.js';

/**
 * Parses an ISO-8601 time (`2026-11-01T00`, `2026-11-01T07:30:00Z`, `2026-11-01`) and
 * truncates it to its UTC hour, in µs. Times without an offset are UTC. Throws a
 * one-line Error when the text is not a time.
 */
export function parseHourFlag(text: string): number {
  return Math.floor(parseIsoMicros(text) / HOUR_US) * HOUR_US;
}
