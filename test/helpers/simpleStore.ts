import { closeSync, mkdirSync, openSync, ftruncateSync } from 'node:fs';
import path from 'node:path';

/** Writes one (empty unless sized) segment file, creating its hour folder. */
export function putSegment(base: string, channel: string, quality: string, hour: string, name: string, size = 0): string {
  const dir = path.join(base, channel, quality, hour);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  if (size > 0) ftruncateSync(fd, size);
  closeSync(fd);
  return file;
}

/** `MM:SS.ffffff` of a whole-second offset into the hour. */
export function offsetName(seconds: number): string {
  const mm = String(Math.floor(seconds / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${mm}:${ss}.000000`;
}

/**
 * Fills an hour with 2 s full segments from `fromS` to `toS` (exclusive), leaving out
 * the segments that start at the seconds in `skip`.
 */
export function fillHour(
  base: string,
  channel: string,
  quality: string,
  hour: string,
  fromS: number,
  toS: number,
  skip: ReadonlySet<number> = new Set(),
): void {
  for (let t = fromS; t < toS; t += 2) {
    if (!skip.has(t)) putSegment(base, channel, quality, hour, `${offsetName(t)}-2.000-full-AAAA.ts`);
  }
}
