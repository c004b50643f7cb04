import { EPS_US, type Interval } from './types.js';

/**
 * Arithmetic on sets of time, pure and in integer µs. A set is a list of half-open
 * intervals; the functions here accept any order and overlap and return sorted,
 * disjoint, merged lists. The window holes and the fleet view both build on them.
 */

/**
 * Sorted, merged copy: intervals that overlap or touch become one, and so do intervals
 * at most `closeGapsUpTo` µs apart; empty ones are dropped.
 */
export function mergeSpans(spans: readonly Interval[], closeGapsUpTo = 0): Interval[] {
  // lists built hour by hour mostly come sorted already: one look instead of a sort
  const sorted = inStartOrder(spans) ? spans : [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const s of sorted) {
    if (s.end <= s.start) continue;
    const last = out[out.length - 1];
    if (last !== undefined && s.start <= last.end + closeGapsUpTo) {
      if (s.end > last.end) out[out.length - 1] = { start: last.start, end: s.end };
    } else {
      out.push({ start: s.start, end: s.end });
    }
  }
  return out;
}

/** True when no interval starts before the one ahead of it. */
function inStartOrder(spans: readonly Interval[]): boolean {
  for (let i = 1; i < spans.length; i++) if (spans[i].start < spans[i - 1].start) return false;
  return true;
}

/** The union of several sets: covered where any of them covers. */
export function unionSpans(sets: readonly (readonly Interval[])[]): Interval[] {
  return mergeSpans(sets.flat());
}

/** The part of `spans` inside `within` (both any order). */
export function intersectSpans(spans: readonly Interval[], within: readonly Interval[]): Interval[] {
  const a = mergeSpans(spans);
  const b = mergeSpans(within);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i].start, b[j].start);
    const end = Math.min(a[i].end, b[j].end);
    if (end > start) out.push({ start, end });
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return out;
}

/**
 * What `covered` leaves uncovered of `window`: the holes. Gaps of at most EPS (10 ms,
 * docs/coverage.md, Raw and editable chains) are not holes, as everywhere else in segcov.
 */
export function uncoveredSpans(window: Interval, covered: readonly Interval[]): Interval[] {
  const holes: Interval[] = [];
  let cur = window.start;
  for (const c of mergeSpans(covered)) {
    if (c.end <= cur) continue;
    if (c.start >= window.end) break;
    if (c.start > cur + EPS_US) holes.push({ start: cur, end: Math.min(c.start, window.end) });
    cur = Math.max(cur, c.end);
    if (cur >= window.end) break;
  }
  if (window.end > cur + EPS_US) holes.push({ start: cur, end: window.end });
  return holes;
}

/** Total length (µs) of a set (overlaps counted once). */
export function spansLength(spans: readonly Interval[]): number {
  let sum = 0;
  for (const s of mergeSpans(spans)) sum += s.end - s.start;
  return sum;
}
