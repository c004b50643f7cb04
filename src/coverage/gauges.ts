import type { StitchedHour } from './stitch.js';
import { totalLength } from './stitch.js';
import { COUNTED_TYPES, SECOND_US, type CountedType } from './types.js';

/** The per-hour gauge names (docs/coverage.md, The per-hour gauges), in the order they are declared. */
export const GAUGE_NAMES = [
  'segment_count',
  'segment_duration',
  'raw_coverage',
  'editable_coverage',
  'raw_holes',
  'editable_holes',
  'raw_hole_duration',
  'editable_hole_duration',
  'overlap_count',
  'overlap_duration',
] as const;
export type GaugeName = (typeof GAUGE_NAMES)[number];

/** One exported value of an hour; `type` is set for the typed gauges. */
export interface GaugeValue {
  readonly name: GaugeName;
  readonly type?: CountedType | 'bad';
  readonly value: number;
}

const seconds = (us: number): number => us / SECOND_US;

/** Every gauge value of one stitched hour. Durations leave microseconds here. */
export function hourGauges(s: StitchedHour): GaugeValue[] {
  const r = s.result;
  const out: GaugeValue[] = [];
  for (const t of COUNTED_TYPES) out.push({ name: 'segment_count', type: t, value: r.counts[t] });
  out.push({ name: 'segment_count', type: 'bad', value: r.bad });
  for (const t of COUNTED_TYPES) out.push({ name: 'segment_duration', type: t, value: seconds(r.durations[t]) });
  out.push({ name: 'raw_coverage', value: seconds(r.rawCoverage) });
  out.push({ name: 'editable_coverage', value: seconds(r.editableCoverage) });
  out.push({ name: 'raw_holes', value: s.rawHoles.length });
  out.push({ name: 'editable_holes', value: s.editableHoles.length });
  out.push({ name: 'raw_hole_duration', value: seconds(totalLength(s.rawHoles)) });
  out.push({ name: 'editable_hole_duration', value: seconds(totalLength(s.editableHoles)) });
  for (const t of COUNTED_TYPES) out.push({ name: 'overlap_count', type: t, value: r.overlapCount[t] });
  for (const t of COUNTED_TYPES) out.push({ name: 'overlap_duration', type: t, value: seconds(r.overlapDuration[t]) });
  return out;
}

/** True when two lists of gauge values (of one hour) are the same, in order. */
export function sameGaugeValues(a: readonly GaugeValue[], b: readonly GaugeValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].type !== b[i].type || a[i].value !== b[i].value) return false;
  }
  return true;
}
