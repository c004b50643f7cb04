import { hourGauges, sameGaugeValues, type GaugeValue } from './gauges.js';
import type { HourResult } from './hourAnalysis.js';
import { coverageMap, updateCoverageMap, type CoverageMap, type MapOptions } from './mapPixels.js';
import { stitchAt, stitchHours, stitchSpan, type StitchedHour } from './stitch.js';

/** Everything exported for one channel and quality, derived from its hour results. */
export interface QualityCoverage {
  readonly hours: readonly StitchedHour[];
  /** Gauge values per hour folder name. */
  readonly gauges: ReadonlyMap<string, readonly GaugeValue[]>;
  readonly map: CoverageMap | null;
  /** Latest end of any segment, µs, or null. */
  readonly newestEnd: number | null;
}

/** Pure: stitches the hours (sorted, within the window) and derives gauges and map. */
export function qualityCoverage(hours: readonly HourResult[], mapOptions: MapOptions): QualityCoverage {
  const stitched = stitchHours(hours);
  const gauges = new Map<string, GaugeValue[]>();
  for (const s of stitched) gauges.set(s.result.hour, hourGauges(s));
  return { hours: stitched, gauges, map: coverageMap(stitched, mapOptions), newestEnd: newestEndOf(stitched) };
}

function newestEndOf(hours: readonly StitchedHour[]): number | null {
  let newestEnd: number | null = null;
  for (const s of hours) {
    const e = s.result.newestEnd;
    if (e !== null && (newestEnd === null || e > newestEnd)) newestEnd = e;
  }
  return newestEnd;
}

/** What an incremental update changed: the gauge values of changed hours (null: hour gone) and whether the map differs. */
export interface CoverageChange {
  readonly coverage: QualityCoverage;
  readonly gauges: ReadonlyMap<string, readonly GaugeValue[] | null>;
  readonly mapChanged: boolean;
}

/**
 * The coverage after some hours were replaced, added or removed: equal to
 * qualityCoverage(hours, mapOptions), at a cost that follows the change, not the store.
 * `prev` is the coverage of the hour list before the change; `changed` names every hour
 * replaced, added or removed since. `prev`'s map buffer may be reused (see updateCoverageMap).
 */
export function updateQualityCoverage(
  prev: QualityCoverage, hours: readonly HourResult[], changed: ReadonlySet<string>, mapOptions: MapOptions,
): CoverageChange {
  const stitched: StitchedHour[] = new Array<StitchedHour>(hours.length);
  const redo = new Set<number>();
  const touched = new Set<number>();
  const gone = new Map<string, StitchedHour>();
  // Walk old and new lists together: unchanged hours keep their stitching unless a
  // neighbour's change reaches them.
  let j = 0;
  for (let i = 0; i < hours.length; i++) {
    const h = hours[i];
    while (j < prev.hours.length && prev.hours[j].result.start < h.start) {
      const old = prev.hours[j++];
      gone.set(old.result.hour, old);
      const span = stitchSpan(hours, i, true);
      for (let k = span.from; k <= span.to; k++) redo.add(k);
      touched.add(old.result.start);
    }
    const old = j < prev.hours.length && prev.hours[j].result.start === h.start ? prev.hours[j++] : undefined;
    if (old !== undefined && old.result === h && !changed.has(h.hour)) {
      stitched[i] = old;
      continue;
    }
    const span = stitchSpan(hours, i);
    for (let k = span.from; k <= span.to; k++) redo.add(k);
  }
  while (j < prev.hours.length) {
    const old = prev.hours[j++];
    gone.set(old.result.hour, old);
    const span = stitchSpan(hours, hours.length, true);
    for (let k = span.from; k <= span.to; k++) redo.add(k);
    touched.add(old.result.start);
  }

  const gauges = new Map(prev.gauges);
  const gaugeChanges = new Map<string, readonly GaugeValue[] | null>();
  for (const hour of gone.keys()) {
    gauges.delete(hour);
    gaugeChanges.set(hour, null);
  }
  for (const i of redo) {
    const s = stitchAt(hours, i);
    stitched[i] = s;
    touched.add(s.result.start);
    const values = hourGauges(s);
    const before = prev.gauges.get(s.result.hour);
    if (before === undefined || !sameGaugeValues(before, values)) {
      gauges.set(s.result.hour, values);
      gaugeChanges.set(s.result.hour, values);
    }
  }
  const map = updateCoverageMap(prev.map, prev.hours, stitched, touched, mapOptions);
  return {
    coverage: { hours: stitched, gauges, map: map.map, newestEnd: newestEndOf(stitched) },
    gauges: gaugeChanges,
    mapChanged: map.changed,
  };
}

/**
 * A sorted hour list with some hours replaced, added or (null) removed, as a new list;
 * `changes` is keyed by hour folder name. Pure; costs a copy of the list, not a sort.
 */
export function withHours(hours: readonly HourResult[], changes: ReadonlyMap<string, HourResult | null>): HourResult[] {
  const out = hours.slice();
  for (const [hour, r] of changes) {
    const at = r !== null ? findStart(out, r.start) : out.findIndex((h) => h.hour === hour);
    if (r === null) {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = r;
    } else {
      out.splice(-at - 1, 0, r);
    }
  }
  return out;
}

/** Index of the hour starting at `start`, or -(insertion point) - 1. */
function findStart(hours: readonly HourResult[], start: number): number {
  let lo = 0;
  let hi = hours.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = hours[mid].start;
    if (s === start) return mid;
    if (s < start) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}
