import type { HourResult } from './hourAnalysis.js';
import { EPS_US, HOUR_US, type Interval } from './types.js';

/** An hour with the holes that look across its boundaries (docs/coverage.md, Edge holes) added to its own. */
export interface StitchedHour {
  readonly result: HourResult;
  /** Raw holes: the hour's own plus its start- and end-of-hour holes, in time order. */
  readonly rawHoles: readonly Interval[];
  readonly editableHoles: readonly Interval[];
  /** True for the last hour in the list (still being recorded: no end-of-hour hole). */
  readonly isLast: boolean;
}

/**
 * Stitches the hours of one channel and quality. `hours` must be the hours
 * present on disk within the window, sorted by name (time).
 */
export function stitchHours(hours: readonly HourResult[]): StitchedHour[] {
  const out: StitchedHour[] = [];
  let prev: HourResult | null = null;
  for (let i = 0; i < hours.length; i++) {
    const h = hours[i];
    const isLast = i === hours.length - 1;
    out.push(stitchOne(h, prev, isLast));
    if (h.chain !== null) prev = h;
  }
  return out;
}

/** Stitches one hour given the nearest earlier hour with a best segment. */
export function stitchOne(h: HourResult, prev: HourResult | null, isLast: boolean): StitchedHour {
  const c = h.chain;
  if (c === null) return { result: h, rawHoles: [], editableHoles: [], isLast };
  const h0 = h.start;
  const h1 = h.start + HOUR_US;
  const rawHoles: Interval[] = [];
  const editableHoles: Interval[] = [];
  if (prev !== null && prev.chain !== null && c.first > h0) {
    if (prev.chain.reach < c.first - EPS_US) rawHoles.push({ start: Math.max(h0, prev.chain.reach), end: c.first });
    if (prev.chain.editEnd < c.first - EPS_US) editableHoles.push({ start: Math.max(h0, prev.chain.editEnd), end: c.first });
  }
  rawHoles.push(...h.rawHoles);
  editableHoles.push(...h.editableHoles);
  if (!isLast) {
    if (c.reach < h1 - EPS_US) rawHoles.push({ start: c.reach, end: h1 });
    if (c.editEnd < h1 - EPS_US) editableHoles.push({ start: c.editEnd, end: h1 });
  }
  return { result: h, rawHoles, editableHoles, isLast };
}

export function totalLength(intervals: readonly Interval[]): number {
  let sum = 0;
  for (const i of intervals) sum += i.end - i.start;
  return sum;
}

/** The nearest hour before index `i` that has a best segment (what stitching `hours[i]` needs). */
export function prevWithChain(hours: readonly HourResult[], i: number): HourResult | null {
  for (let j = i - 1; j >= 0; j--) if (hours[j].chain !== null) return hours[j];
  return null;
}

/**
 * The indices of `hours` whose stitching can differ after the hour at index `at` was
 * replaced or inserted there, or (removed) after the hour just before index `at` was
 * removed: the hour before (its end-of-hour hole depends on being last), the hour itself,
 * and every hour up to the next one with a best segment (the first whose start-of-hour
 * hole looks back at it). Returned as an inclusive range, clamped to the list.
 */
export function stitchSpan(hours: readonly HourResult[], at: number, removed = false): { from: number; to: number } {
  const from = Math.max(0, at - 1);
  let to = removed ? at : at + 1;
  while (to < hours.length && hours[to].chain === null) to++;
  return { from, to: Math.min(to, hours.length - 1) };
}

/** The stitched hour at index `i` of the whole sorted list: equal to stitchHours(hours)[i]. */
export function stitchAt(hours: readonly HourResult[], i: number): StitchedHour {
  return stitchOne(hours[i], prevWithChain(hours, i), i === hours.length - 1);
}

/** Index of the item starting at `start` in a list sorted by start, or -(insertion point) - 1. */
export function indexByStart<T>(list: readonly T[], start: number, startOf: (item: T) => number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = startOf(list[mid]);
    if (s === start) return mid;
    if (s < start) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}
