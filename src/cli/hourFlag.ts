import { DateTime } from 'luxon';
import { HOUR_US } from '../coverage/types.js';

/**
 * Parses an ISO-8601 time (`2026-11-01T00`, `2026-11-01T07:30:00Z`, `2026-11-01`) and
 * truncates it to its UTC hour, in µs. Times without an offset are UTC. Throws a
 * one-line Error when the text is not a time.
 */
export function parseHourFlag(text: string): number {
  const dt = DateTime.fromISO(text.trim(), { zone: 'utc', setZone: false });
  if (!dt.isValid) throw new Error(`"${text}" is not an ISO-8601 time (${dt.invalidExplanation ?? dt.invalidReason})`);
  const us = dt.toMillis() * 1000;
  return Math.floor(us / HOUR_US) * HOUR_US;
}
