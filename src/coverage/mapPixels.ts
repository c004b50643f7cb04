import type { StitchedHour } from './stitch.js';
import { HOUR_US, SECOND_US, type Interval } from './types.js';

/** Pixel classes of the coverage map (SPEC §5). */
export const BLUE = 0;
export const ORANGE = 1;
export const WHITE = 2;
export type PixelClass = typeof BLUE | typeof ORANGE | typeof WHITE;

export interface MapOptions {
  /** Window start (µs, hour-aligned) from --first-hour. */
  readonly firstHour?: number;
  /** Window end hour (µs, hour-aligned, inclusive) from --last-hour. */
  readonly lastHour?: number;
  /** Seconds a pixel (divides 3600). */
  readonly pixelSeconds: number;
  /** Pixels a column (divides 3600 / pixelSeconds). */
  readonly rows: number;
}

export interface CoverageMap {
  readonly width: number;
  readonly height: number;
  /** Start of the first hour shown (µs). */
  readonly origin: number;
  readonly hours: number;
  /** One class per pixel in time order: down each column, then the next column. */
  readonly pixels: Uint8Array;
}

/** Why a pixel length or row count cannot make a map; null when they can. */
export function mapGeometryError(pixelSeconds: number, rows: number): string | null {
  if (!Number.isInteger(pixelSeconds) || pixelSeconds <= 0 || 3600 % pixelSeconds !== 0) {
    return `pixel length ${pixelSeconds} must be a whole number of seconds that divides 3600`;
  }
  if (!Number.isInteger(rows) || rows <= 0 || (3600 / pixelSeconds) % rows !== 0) {
    return `rows ${rows} must divide 3600 / pixel length = ${3600 / pixelSeconds}`;
  }
  return null;
}

/**
 * SPEC §5: the pixels of one channel and quality's map, from its stitched hours (sorted,
 * within the window). Returns null when there is no hour to show.
 */
export function coverageMap(hours: readonly StitchedHour[], opts: MapOptions): CoverageMap | null {
  const withChain = hours.filter((h) => h.result.chain !== null);
  const firstChain = withChain[0];
  const lastChain = withChain[withChain.length - 1];
  const from = opts.firstHour ?? firstChain?.result.start ?? null;
  const to = opts.lastHour ?? lastChain?.result.start ?? hours[hours.length - 1]?.result.start ?? opts.firstHour ?? null;
  if (from === null || to === null || to < from) return null;

  const nHours = (to - from) / HOUR_US + 1;
  const pixelUs = opts.pixelSeconds * SECOND_US;
  const perHour = 3600 / opts.pixelSeconds;
  const total = nHours * perHour;
  const pixels = new Uint8Array(total);
  const paint = (iv: Interval, cls: PixelClass): void => {
    const a = Math.max(0, Math.floor((iv.start - from) / pixelUs));
    const b = Math.min(total, Math.ceil((iv.end - from) / pixelUs));
    if (b > a) pixels.fill(cls, a, b);
  };

  for (const h of hours) for (const iv of h.result.partialOnly) paint(iv, ORANGE);

  const byStart = new Map<number, StitchedHour>();
  for (const h of hours) byStart.set(h.result.start, h);
  for (let t = from; t <= to; t += HOUR_US) {
    const h = byStart.get(t);
    const chain = h?.result.chain ?? null;
    if (h === undefined || chain === null) {
      paint({ start: t, end: t + HOUR_US }, WHITE);
      continue;
    }
    for (const iv of h.rawHoles) paint(iv, WHITE);
    if (h === firstChain && chain.first > t) paint({ start: t, end: chain.first }, WHITE);
    if (h === lastChain && chain.reach < t + HOUR_US) paint({ start: chain.reach, end: t + HOUR_US }, WHITE);
  }
  return { width: total / opts.rows, height: opts.rows, origin: from, hours: nHours, pixels };
}
