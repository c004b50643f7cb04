import { hourGauges, type GaugeValue } from './gauges.js';
import type { HourResult } from './hourAnalysis.js';
import { coverageMap, type CoverageMap, type MapOptions } from './mapPixels.js';
import { stitchHours, type StitchedHour } from './stitch.js';
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
  /** The shown window's explicit bounds (--first-hour, --last-hour + 1 h): see windowHoles.ts. */
  readonly bounds: WindowBounds;
}

/** Pure: stitches the hours (sorted, within the window) and derives gauges and map. */
export function qualityCoverage(hours: readonly HourResult[], mapOptions: MapOptions): QualityCoverage {
  const stitched = stitchHours(hours);
  const gauges = new Map<string, GaugeValue[]>();
  let newestEnd: number | null = null;
  for (const s of stitched) {
    gauges.set(s.result.hour, hourGauges(s));
    const e = s.result.newestEnd;
    if (e !== null && (newestEnd === null || e > newestEnd)) newestEnd = e;
  }
  const bounds: WindowBounds = {
    start: mapOptions.firstHour,
    end: mapOptions.lastHour === undefined ? undefined : mapOptions.lastHour + HOUR_US,
  };
  return { hours: stitched, gauges, map: coverageMap(stitched, mapOptions), newestEnd, bounds };
}
