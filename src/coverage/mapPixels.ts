import { indexByStart, type StitchedHour } from './stitch.js';
import { HOUR_US, SECOND_US, type Interval } from './types.js';

/** Pixel classes of the coverage map (docs/coverage.md, The map). */
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
 * The pixels of one channel and quality's map, from its stitched hours (sorted,
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

/** The hours a map shows: first and last hour start, or null when there is none. */
function mapSpan(hours: readonly StitchedHour[], opts: MapOptions): { from: number; to: number } | null {
  const firstChain = firstWithChain(hours);
  const lastChain = lastWithChain(hours);
  const from = opts.firstHour ?? firstChain?.result.start ?? null;
  const to = opts.lastHour ?? lastChain?.result.start ?? hours[hours.length - 1]?.result.start ?? opts.firstHour ?? null;
  if (from === null || to === null || to < from) return null;
  return { from, to };
}

function firstWithChain(hours: readonly StitchedHour[]): StitchedHour | undefined {
  for (const h of hours) if (h.result.chain !== null) return h;
  return undefined;
}

function lastWithChain(hours: readonly StitchedHour[]): StitchedHour | undefined {
  for (let i = hours.length - 1; i >= 0; i--) if (hours[i].result.chain !== null) return hours[i];
  return undefined;
}

/** Index of the stitched hour starting at `start`, or -(insertion point) - 1. */
export function indexOfHour(hours: readonly StitchedHour[], start: number): number {
  return indexByStart(hours, start, (h) => h.result.start);
}

/** The last hour start an hour's pictures reach into: its own, or later where a non-full best segment runs past its end. */
function reachOfHour(h: StitchedHour | undefined): number {
  if (h === undefined) return -Infinity;
  const po = h.result.partialOnly;
  const end = po.length === 0 ? 0 : po[po.length - 1].end;
  return Math.max(h.result.start, h.result.start + Math.floor((end - 1 - h.result.start) / HOUR_US) * HOUR_US);
}

/**
 * Paints the column of the hour starting at `t` exactly as coverageMap paints it: blue,
 * then orange where any hour's non-full best segments reach into it, then white.
 */
function paintColumn(
  pixels: Uint8Array,
  from: number,
  t: number,
  hours: readonly StitchedHour[],
  opts: MapOptions,
  firstChain: StitchedHour | undefined,
  lastChain: StitchedHour | undefined,
  spill: number,
): void {
  const pixelUs = opts.pixelSeconds * SECOND_US;
  const perHour = 3600 / opts.pixelSeconds;
  const a = ((t - from) / HOUR_US) * perHour;
  const b = a + perHour;
  pixels.fill(BLUE, a, b);
  const paint = (iv: Interval, cls: PixelClass): void => {
    const p = Math.max(a, Math.floor((iv.start - from) / pixelUs));
    const q = Math.min(b, Math.ceil((iv.end - from) / pixelUs));
    if (q > p) pixels.fill(cls, p, q);
  };
  const at = indexOfHour(hours, t);
  const upTo = at >= 0 ? at : -at - 2;
  for (let j = upTo; j >= 0; j--) {
    if (hours[j].result.start + HOUR_US + spill <= t) break; // earlier hours cannot reach this column
    const po = hours[j].result.partialOnly;
    if (po.length === 0 || po[po.length - 1].end <= t) continue;
    for (const iv of po) if (iv.end > t && iv.start < t + HOUR_US) paint(iv, ORANGE);
  }
  const h = at >= 0 ? hours[at] : undefined;
  const chain = h?.result.chain ?? null;
  if (h === undefined || chain === null) {
    pixels.fill(WHITE, a, b);
    return;
  }
  for (const iv of h.rawHoles) paint(iv, WHITE);
  if (h === firstChain && chain.first > t) paint({ start: t, end: chain.first }, WHITE);
  if (h === lastChain && chain.reach < t + HOUR_US) paint({ start: chain.reach, end: t + HOUR_US }, WHITE);
}

/**
 * The map after some hours changed: equal to coverageMap(hours, opts), but only the
 * columns that can differ are painted again. `touched` holds the start of every hour whose
 * stitching changed, appeared or went away between `prevHours` (what `prev` was drawn from)
 * and `hours`. When the map keeps its size, `prev`'s pixel buffer is reused and painted
 * over: `prev` must not be used afterwards. `changed` tells whether any pixel differs.
 * `spill` (µs): no hour's non-full best segments reach further than this past its own end.
 */
export function updateCoverageMap(
  prev: CoverageMap | null,
  prevHours: readonly StitchedHour[],
  hours: readonly StitchedHour[],
  touched: Iterable<number>,
  opts: MapOptions,
  spill = Infinity,
): { map: CoverageMap | null; changed: boolean } {
  const span = mapSpan(hours, opts);
  if (span === null) return { map: null, changed: prev !== null };
  if (prev === null) return { map: coverageMap(hours, opts), changed: true };
  const perHour = 3600 / opts.pixelSeconds;
  const nHours = (span.to - span.from) / HOUR_US + 1;
  const firstChain = firstWithChain(hours);
  const lastChain = lastWithChain(hours);

  // Columns to paint: every touched hour and the hours its pictures reach (before and
  // after), and the old and new first and last hours with a chain (they have edge holes).
  const cols = new Set<number>();
  const addReach = (list: readonly StitchedHour[], t: number): void => {
    const i = indexOfHour(list, t);
    const end = reachOfHour(i >= 0 ? list[i] : undefined);
    for (let c = t; c <= end; c += HOUR_US) cols.add(c);
  };
  for (const t of touched) {
    cols.add(t);
    addReach(prevHours, t);
    addReach(hours, t);
  }
  for (const h of [firstWithChain(prevHours), lastWithChain(prevHours), firstChain, lastChain]) {
    if (h !== undefined) cols.add(h.result.start);
  }

  let pixels = prev.pixels;
  let changed = false;
  if (prev.origin !== span.from || prev.hours !== nHours) {
    changed = true;
    pixels = new Uint8Array(nHours * perHour);
    const lo = Math.max(prev.origin, span.from);
    const hi = Math.min(prev.origin + (prev.hours - 1) * HOUR_US, span.to);
    if (hi >= lo) {
      const src = ((lo - prev.origin) / HOUR_US) * perHour;
      const dst = ((lo - span.from) / HOUR_US) * perHour;
      pixels.set(prev.pixels.subarray(src, src + ((hi - lo) / HOUR_US + 1) * perHour), dst);
    }
    for (let t = span.from; t <= span.to; t += HOUR_US) if (t < lo || t > hi) cols.add(t);
  }
  const before = new Uint8Array(perHour);
  for (const t of cols) {
    if (t < span.from || t > span.to) continue;
    const a = ((t - span.from) / HOUR_US) * perHour;
    if (!changed) before.set(pixels.subarray(a, a + perHour));
    paintColumn(pixels, span.from, t, hours, opts, firstChain, lastChain, spill);
    if (!changed && !sameBytes(before, pixels.subarray(a, a + perHour))) changed = true;
  }
  return { map: { width: (nHours * perHour) / opts.rows, height: opts.rows, origin: span.from, hours: nHours, pixels }, changed };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
