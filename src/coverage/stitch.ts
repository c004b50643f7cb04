import type { HourResult } from './hourAnalysis.js';
import { EPS_US, HOUR_US, type Interval } from './types.js';

/** An hour with the holes that look across its boundaries (SPEC §3) added to its own. */
export interface StitchedHour {
  readonly result: HourResult;
  /** Raw holes: the hour's own plus its start- and end-of-hour holes, in time order. */
  readonly rawHoles: readonly Interval[];
  readonly editableHoles: readonly Interval[];
  /** True for the last hour in the list (still being recorded: no end-of-hour hole). */
  readonly isLast: boolean;
}

/**
 * SPEC §3: stitches the hours of one channel and quality. `hours` must be the hours
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
