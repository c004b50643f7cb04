import { hourGauges, sameGaugeValues, type GaugeValue } from './gauges.js';
import type { HourResult } from './hourAnalysis.js';
import { coverageMap, updateCoverageMap, type CoverageMap, type MapOptions } from './mapPixels.js';
import { indexByStart, stitchAt, stitchHours, stitchSpan, type StitchedHour } from './stitch.js';
import { HOUR_US } from './types.js';
import type { WindowBounds } from './windowHoles.js';

/** Everything exported for one channel and quality, derived from its hour results. */
export interface QualityCoverage {
  readonly hours: readonly StitchedHour[];
  /** Gauge values per hour folder name. */
  readonly gauges: ReadonlyMap<string, readonly GaugeValue[]>;
  readonly map: CoverageMap | null;
  /** Latest end of any segment, µs, or null. */
  readonly newestEnd: number | null;
  /** How far (µs) any hour's non-full best segments reach past its own end (0: none do); bounds map repaints. */
  readonly spill: number;
  /** The shown window's explicit bounds (--first-hour, --last-hour + 1 h): see windowHoles.ts. */
  readonly bounds: WindowBounds;
}

/** Pure: stitches the hours (sorted, within the window) and derives gauges and map. */
export function qualityCoverage(hours: readonly HourResult[], mapOptions: MapOptions): QualityCoverage {
  const stitched = stitchHours(hours);
  const gauges = new Map<string, GaugeValue[]>();
  let newestEnd: number | null = null;
  let spill = 0;
  for (const s of stitched) {
    gauges.set(s.result.hour, hourGauges(s));
    newestEnd = later(newestEnd, s.result.newestEnd);
    spill = Math.max(spill, spillOf(s.result));
  }
  return { hours: stitched, gauges, map: coverageMap(stitched, mapOptions), newestEnd, spill, bounds: windowBounds(mapOptions) };
}

/** The shown window's explicit bounds (--first-hour, --last-hour + 1 h). */
function windowBounds(mapOptions: MapOptions): WindowBounds {
  return {
    start: mapOptions.firstHour,
    end: mapOptions.lastHour === undefined ? undefined : mapOptions.lastHour + HOUR_US,
  };
}

function later(a: number | null, b: number | null): number | null {
  return a === null || (b !== null && b > a) ? b : a;
}

/** How far past its own end an hour's non-full best segments reach (0 when they don't). */
function spillOf(h: HourResult): number {
  const po = h.partialOnly;
  return po.length === 0 ? 0 : Math.max(0, po[po.length - 1].end - (h.start + HOUR_US));
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
 * `prev` is the coverage of the hour list before the change; `changed` holds the start
 * (µs) of every hour replaced, added or removed since (see changedStarts).
 *
 * `prev` is consumed: its gauge map and map pixels are reused and overwritten, so no
 * per-update cost grows with the number of hours held. Do not read `prev` afterwards.
 */
export function updateQualityCoverage(
  prev: QualityCoverage,
  hours: readonly HourResult[],
  changed: ReadonlySet<number>,
  mapOptions: MapOptions,
): CoverageChange {
  const starts = [...changed].sort((a, b) => a - b);
  // The new stitched list: unchanged stretches copied from prev, changed hours left to stitch.
  const stitched: StitchedHour[] = [];
  const olds: StitchedHour[] = [];
  let from = 0;
  for (const t of starts) {
    const at = lowerBound(prev.hours, t);
    for (let k = from; k < at; k++) stitched.push(prev.hours[k]);
    from = at;
    const old = prev.hours[at];
    if (old !== undefined && old.result.start === t) {
      olds.push(old);
      from = at + 1;
    }
    const i = indexOfStart(hours, t);
    if (i >= 0) stitched.push(old ?? prev.hours[0]); // a stand-in, stitched below
  }
  for (let k = from; k < prev.hours.length; k++) stitched.push(prev.hours[k]);
  if (stitched.length !== hours.length) throw new Error('updateQualityCoverage: `changed` does not cover every added or removed hour');

  const redo = new Set<number>();
  for (const t of starts) {
    const i = indexOfStart(hours, t);
    const span = i >= 0 ? stitchSpan(hours, i) : stitchSpan(hours, -i - 1, true);
    for (let k = span.from; k <= span.to; k++) redo.add(k);
  }

  const gauges = prev.gauges as Map<string, readonly GaugeValue[]>;
  const gaugeChanges = new Map<string, readonly GaugeValue[] | null>();
  for (const old of olds) {
    if (indexOfStart(hours, old.result.start) >= 0) continue;
    gauges.delete(old.result.hour);
    gaugeChanges.set(old.result.hour, null);
  }
  const touched = new Set<number>(starts);
  let newestEnd = prev.newestEnd;
  let spill = prev.spill;
  for (const i of redo) {
    const s = stitchAt(hours, i);
    stitched[i] = s;
    touched.add(s.result.start);
    newestEnd = later(newestEnd, s.result.newestEnd);
    spill = Math.max(spill, spillOf(s.result));
    const values = hourGauges(s);
    const before = gauges.get(s.result.hour);
    if (before === undefined || !sameGaugeValues(before, values)) {
      gauges.set(s.result.hour, values);
      gaugeChanges.set(s.result.hour, values);
    }
  }
  // An hour that held the newest end or the widest spill changed or went: look at all hours again.
  if (olds.some((o) => o.result.newestEnd !== null && o.result.newestEnd === prev.newestEnd) && newestEnd === prev.newestEnd) {
    newestEnd = null;
    for (const s of stitched) newestEnd = later(newestEnd, s.result.newestEnd);
  }
  if (prev.spill > 0 && olds.some((o) => spillOf(o.result) === prev.spill) && spill === prev.spill) {
    spill = 0;
    for (const s of stitched) spill = Math.max(spill, spillOf(s.result));
  }
  const map = updateCoverageMap(prev.map, prev.hours, stitched, touched, mapOptions, Math.max(spill, prev.spill));
  return {
    coverage: { hours: stitched, gauges, map: map.map, newestEnd, spill, bounds: windowBounds(mapOptions) },
    gauges: gaugeChanges,
    mapChanged: map.changed,
  };
}

/** The starts of the hours that differ (by identity) between two sorted hour lists, added and removed ones included. */
export function changedStarts(before: readonly HourResult[], after: readonly HourResult[]): Set<number> {
  const out = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (b === undefined || (a !== undefined && a.start < b.start)) {
      out.add(a.start);
      i++;
    } else if (a === undefined || b.start < a.start) {
      out.add(b.start);
      j++;
    } else {
      if (a !== b) out.add(a.start);
      i++;
      j++;
    }
  }
  return out;
}

/** The first index of a stitched list whose hour starts at or after `t`. */
function lowerBound(hours: readonly StitchedHour[], t: number): number {
  let lo = 0;
  let hi = hours.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hours[mid].result.start < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A sorted hour list with some hours replaced, added or (null) removed, as a new list;
 * `changes` is keyed by hour start (µs). Pure; costs a copy of the list, not a sort.
 */
export function withHours(hours: readonly HourResult[], changes: ReadonlyMap<number, HourResult | null>): HourResult[] {
  const out = hours.slice();
  for (const [start, r] of changes) {
    const at = indexOfStart(out, start);
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
export function indexOfStart(hours: readonly HourResult[], start: number): number {
  return indexByStart(hours, start, (h) => h.start);
}
