import { groupEnd, pickBest, sortedByStart } from './bestSegment.js';
import { EPS_US, HOUR_US, zeroPerType, type CountedType, type Interval, type PerType, type Segment } from './types.js';

/** Where an hour's chains start and end: what the neighbouring hours need (docs/coverage.md, Edge holes). */
export interface ChainEnds {
  /** Start of the first best segment. */
  readonly first: number;
  /** Largest end of any best segment (raw chain). */
  readonly reach: number;
  /** End of the last segment the editable chain took. */
  readonly editEnd: number;
}

/**
 * Everything one hour contributes, computed from that hour's segments alone
 * (docs/coverage.md: Best segment, Overlap, Raw and editable chains). Kept per hour
 * instead of the segments themselves: it is all that gauges, stitching and the map need.
 */
export interface HourResult {
  readonly hour: string;
  readonly start: number;
  readonly counts: PerType;
  readonly bad: number;
  readonly durations: PerType;
  readonly overlapCount: PerType;
  readonly overlapDuration: PerType;
  readonly rawCoverage: number;
  readonly editableCoverage: number;
  /** Holes inside the hour's own raw chain. */
  readonly rawHoles: readonly Interval[];
  /** Holes inside the hour's own editable chain. */
  readonly editableHoles: readonly Interval[];
  /** Spans whose best segment is not `full`, touching spans merged. */
  readonly partialOnly: readonly Interval[];
  /** Null when the hour has no best segment. */
  readonly chain: ChainEnds | null;
  /** Latest end of any non-temp segment, or null. */
  readonly newestEnd: number | null;
}

export interface HourInput {
  readonly hour: string;
  readonly start: number;
  readonly segments: readonly Segment[];
  /** Listed names that did not parse. */
  readonly bad: number;
}

/** Analyses one hour. Pure; segment sizes must already be set where needed. */
export function analyzeHour(input: HourInput): HourResult {
  const counts = zeroPerType();
  const durations = zeroPerType();
  const overlapCount = zeroPerType();
  const overlapDuration = zeroPerType();
  let newestEnd: number | null = null;
  for (const s of input.segments) {
    if (s.type === 'temp') continue;
    addTo(counts, durations, s.type, s.duration);
    const end = s.start + s.duration;
    if (newestEnd === null || end > newestEnd) newestEnd = end;
  }

  const best: Segment[] = [];
  const sorted = sortedByStart(input.segments);
  for (let i = 0, j = 0; i < sorted.length; i = j) {
    j = groupEnd(sorted, i);
    if (j === i + 1) {
      best.push(sorted[i]); // a start with one segment: it is the best, no loser (the usual case)
      continue;
    }
    const pick = pickBest(sorted.slice(i, j));
    best.push(pick.best);
    for (const loser of pick.losers) addOverlap(overlapCount, overlapDuration, loser.type, loser.duration);
  }
  if (best.length === 0) {
    return hourResult({
      hour: input.hour,
      start: input.start,
      counts,
      bad: input.bad,
      durations,
      newestEnd,
      overlapCount: zeroPerType(),
      overlapDuration: zeroPerType(),
      rawCoverage: 0,
      editableCoverage: 0,
      rawHoles: [],
      editableHoles: [],
      partialOnly: [],
      chain: null,
    });
  }

  const raw = rawChain(best, overlapCount, overlapDuration);
  const editable = editableChain(best);
  return hourResult({
    hour: input.hour,
    start: input.start,
    counts,
    bad: input.bad,
    durations,
    newestEnd,
    overlapCount,
    overlapDuration,
    rawCoverage: raw.coverage,
    editableCoverage: editable.coverage,
    rawHoles: raw.holes,
    editableHoles: editable.holes,
    partialOnly: partialOnlySpans(best),
    chain: { first: best[0].start, reach: raw.reach, editEnd: editable.editEnd },
  });
}

/**
 * The one object literal every HourResult is made by: its fields always in this order, so
 * all hour results share one object shape (V8 hidden class) and the code that reads them
 * stays monomorphic.
 */
function hourResult(f: HourResult): HourResult {
  return {
    hour: f.hour,
    start: f.start,
    counts: f.counts,
    bad: f.bad,
    durations: f.durations,
    newestEnd: f.newestEnd,
    overlapCount: f.overlapCount,
    overlapDuration: f.overlapDuration,
    rawCoverage: f.rawCoverage,
    editableCoverage: f.editableCoverage,
    rawHoles: f.rawHoles,
    editableHoles: f.editableHoles,
    partialOnly: f.partialOnly,
    chain: f.chain,
  };
}

function addOverlap(count: PerType, duration: PerType, type: Segment['type'], us: number): void {
  if (type !== 'temp') addTo(count, duration, type, us);
}

/**
 * One more segment of `type` and its microseconds. Named fields, not `count[type]`: a keyed
 * access compiles for the one name it has seen, and the first suspect or partial of a pass
 * would throw the optimised analysis away (V8: "wrong name").
 */
function addTo(count: PerType, duration: PerType, type: CountedType, us: number): void {
  if (type === 'full') {
    count.full += 1;
    duration.full += us;
  } else if (type === 'suspect') {
    count.suspect += 1;
    duration.suspect += us;
  } else {
    count.partial += 1;
    duration.partial += us;
  }
}

/** The raw chain: everything recorded, overlaps counted against the later segment. */
function rawChain(best: readonly Segment[], overlapCount: PerType, overlapDuration: PerType) {
  let coverage = best[0].duration;
  let reach = best[0].start + best[0].duration;
  const holes: Interval[] = [];
  for (let i = 1; i < best.length; i++) {
    const b = best[i];
    const end = b.start + b.duration;
    if (b.start < reach - EPS_US) {
      addOverlap(overlapCount, overlapDuration, b.type, Math.min(reach, end) - b.start);
      coverage += Math.max(0, end - reach);
    } else {
      coverage += b.duration;
      if (b.start > reach + EPS_US) holes.push({ start: reach, end: b.start });
    }
    reach = Math.max(reach, end);
  }
  return { coverage, reach, holes };
}

/** The editable chain: what a cutter can join without overlap; overlapping segments are skipped. */
function editableChain(best: readonly Segment[]) {
  let coverage = best[0].duration;
  let editEnd = best[0].start + best[0].duration;
  const holes: Interval[] = [];
  for (let i = 1; i < best.length; i++) {
    const b = best[i];
    if (b.start < editEnd - EPS_US) continue;
    coverage += b.duration;
    if (b.start > editEnd + EPS_US) holes.push({ start: editEnd, end: b.start });
    editEnd = b.start + b.duration;
  }
  return { coverage, editEnd, holes };
}

/** Spans covered by a best segment that is not `full`, merged where they touch or overlap. */
function partialOnlySpans(best: readonly Segment[]): Interval[] {
  const spans: Interval[] = [];
  for (const b of best) {
    if (b.type === 'full') continue;
    const end = b.start + b.duration;
    const last = spans[spans.length - 1];
    if (last !== undefined && b.start <= last.end) {
      if (end > last.end) spans[spans.length - 1] = { start: last.start, end };
    } else {
      spans.push({ start: b.start, end });
    }
  }
  return spans;
}

/** The end of the hour that starts at `start`. */
export function hourEnd(start: number): number {
  return start + HOUR_US;
}
