import { HOUR_US } from '../coverage/types.js';

const HOUR_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;

/**
 * Parses an hour folder name `YYYY-MM-DDTHH` (UTC) to its start in microseconds,
 * or null when the name is not a real hour (docs/coverage.md, The store: such folders are skipped).
 */
export function parseHourName(name: string): number | null {
  const m = HOUR_RE.exec(name);
  if (m === null) return null;
  const [y, mo, d, h] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23) return null;
  const ms = Date.UTC(y, mo - 1, d, h);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms * 1000;
}

/** The folder name of the hour that starts at `startUs` (any instant inside it works). */
export function formatHourName(startUs: number): string {
  const floored = Math.floor(startUs / HOUR_US) * HOUR_US;
  return new Date(floored / 1000).toISOString().slice(0, 13);
}
