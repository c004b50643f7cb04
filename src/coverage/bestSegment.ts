import type { Segment } from './types.js';

/**
 * The best-segment choice (docs/coverage.md, Best segment). Segments are grouped by
 * exact start time; within a group the best is the longest `full`, else the largest
 * `suspect`, else the largest `partial`; ties go to the lexicographically greatest
 * name. `temp` never wins.
 */

/** Groups non-temp segments by start time; the result is sorted by start. */
export function groupByStart(segments: readonly Segment[]): Segment[][] {
  const sorted = sortedByStart(segments);
  const groups: Segment[][] = [];
  for (let i = 0, j = 0; i < sorted.length; i = j) {
    j = groupEnd(sorted, i);
    groups.push(sorted.slice(i, j));
  }
  return groups;
}

/**
 * The non-temp segments sorted by start (a stable sort). A listing is usually sorted
 * already (parseHourListing sorts it): then one linear check replaces the sort's callbacks.
 */
export function sortedByStart(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  let sorted = true;
  for (const s of segments) {
    if (s.type === 'temp') continue;
    if (sorted && out.length > 0 && out[out.length - 1].start > s.start) sorted = false;
    out.push(s);
  }
  return sorted ? out : out.sort((a, b) => a.start - b.start);
}

/** In a list sorted by start: the index just past the group of equal starts that begins at `i`. */
export function groupEnd(sorted: readonly Segment[], i: number): number {
  let j = i + 1;
  while (j < sorted.length && sorted[j].start === sorted[i].start) j++;
  return j;
}

/**
 * The names whose file size decides a best-segment choice: the suspects (or, with no
 * suspect, the partials) of a start that has no full segment and more than one such
 * candidate. Only these need a stat.
 */
export function namesNeedingSize(segments: readonly Segment[]): string[] {
  const out: string[] = [];
  const sorted = sortedByStart(segments);
  for (let i = 0, j = 0; i < sorted.length; i = j) {
    j = groupEnd(sorted, i);
    if (j === i + 1) continue; // most starts have one segment: no choice to make
    const group = sorted.slice(i, j);
    if (group.some((s) => s.type === 'full')) continue;
    const deciding = group.some((s) => s.type === 'suspect') ? 'suspect' : 'partial';
    const candidates = group.filter((s) => s.type === deciding);
    if (candidates.length > 1) for (const s of candidates) out.push(s.name);
  }
  return out;
}

const RANK = { full: 3, suspect: 2, partial: 1, temp: 0 } as const;

/** True when `a` is a better choice than `b` for the same start time. */
function beats(a: Segment, b: Segment): boolean {
  if (RANK[a.type] !== RANK[b.type]) return RANK[a.type] > RANK[b.type];
  const ka = a.type === 'full' ? a.duration : (a.size ?? 0);
  const kb = b.type === 'full' ? b.duration : (b.size ?? 0);
  if (ka !== kb) return ka > kb;
  return a.name > b.name;
}

/** Picks the best segment of one start group and returns it with the losers. */
export function pickBest(group: readonly Segment[]): { best: Segment; losers: Segment[] } {
  let best = group[0];
  for (let i = 1; i < group.length; i++) if (beats(group[i], best)) best = group[i];
  return { best, losers: group.filter((s) => s !== best) };
}
