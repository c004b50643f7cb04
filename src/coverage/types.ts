/**
 * Shared vocabulary of the coverage engine. Every time is an integer number of
 * microseconds since the Unix epoch (or a length in microseconds); gauges divide
 * by 1e6 only when they are exported.
 */

export type SegmentType = 'full' | 'suspect' | 'partial' | 'temp';
/** The types that take part in coverage and are exported as label values. */
export type CountedType = 'full' | 'suspect' | 'partial';
export const COUNTED_TYPES: readonly CountedType[] = ['full', 'suspect', 'partial'];

/** docs/coverage.md, Raw and editable chains: the tolerance for gaps and overlaps, 10 ms. */
export const EPS_US = 10_000;
export const HOUR_US = 3_600_000_000;
export const SECOND_US = 1_000_000;

/** A parsed segment file name, placed in absolute time. */
export interface Segment {
  /** File name as on disk (used for tie-breaks and stat). */
  readonly name: string;
  readonly start: number;
  readonly duration: number;
  readonly type: SegmentType;
  readonly hash: string;
  /** File size in bytes; only filled in when best-segment choice needs it. */
  size?: number;
}

/** Half-open interval [start, end) in microseconds. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export type PerType = Record<CountedType, number>;

export function zeroPerType(): PerType {
  return { full: 0, suspect: 0, partial: 0 };
}
