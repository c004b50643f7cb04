import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { GaugeValue } from '../../src/coverage/gauges.js';
import { analyzeHour, type HourResult } from '../../src/coverage/hourAnalysis.js';
import { coverageMap, type MapOptions } from '../../src/coverage/mapPixels.js';
import {
  changedStarts,
  qualityCoverage,
  updateQualityCoverage,
  withHours,
  type QualityCoverage,
} from '../../src/coverage/qualityCoverage.js';
import { stitchAt, stitchHours } from '../../src/coverage/stitch.js';
import { HOUR_US, type Segment, type SegmentType } from '../../src/coverage/types.js';

const H0 = Date.UTC(2026, 10, 1, 0) * 1000;
const S = 1_000_000;
const N_HOURS = 10;
const hourName = (i: number): string => new Date((H0 + i * HOUR_US) / 1000).toISOString().slice(0, 13);

/**
 * One hour's listing: a few segments placed on a coarse grid so that gaps, overlaps,
 * duplicates, edge holes and segments running past the hour's end all come up often.
 */
const segmentArb = fc.record({
  slot: fc.integer({ min: 0, max: 11 }),
  jitterMs: fc.constantFrom(0, 0, 5, 20, 4000),
  durS: fc.constantFrom(300, 300, 300, 150, 420, 900, 5400),
  type: fc.constantFrom<SegmentType>('full', 'full', 'full', 'suspect', 'partial', 'temp'),
  size: fc.integer({ min: 1, max: 3 }),
});
const listingArb = fc.array(segmentArb, { minLength: 0, maxLength: 14 });

type Listed = { slot: number; jitterMs: number; durS: number; type: SegmentType; size: number };

function hourOf(i: number, listing: readonly Listed[]): HourResult {
  const start = H0 + i * HOUR_US;
  const segments: Segment[] = listing.map((s, k) => ({
    name: `${String(k).padStart(3, '0')}-${s.type}.ts`,
    start: start + s.slot * 300 * S + s.jitterMs * 1000,
    duration: s.durS * S,
    type: s.type,
    hash: 'AAAA',
    size: s.size,
  }));
  return analyzeHour({ hour: hourName(i), start, segments, bad: 0 });
}

/** A change: hour index and its new listing, or null to remove the hour. */
const opArb = fc.record({ hour: fc.integer({ min: 0, max: N_HOURS - 1 }), listing: fc.option(listingArb, { nil: null, freq: 4 }) });

const optionsArb = fc.constantFrom<MapOptions>(
  { pixelSeconds: 60, rows: 6 },
  { pixelSeconds: 300, rows: 4 },
  { pixelSeconds: 60, rows: 6, firstHour: H0 + HOUR_US, lastHour: H0 + 7 * HOUR_US },
  { pixelSeconds: 60, rows: 12, firstHour: H0 },
);

function assertSameCoverage(got: QualityCoverage, want: QualityCoverage, what: string): void {
  assert.equal(got.spill, want.spill, `${what}: spill`);
  assert.deepEqual(got.hours, want.hours, `${what}: stitched hours`);
  assert.deepEqual(got.gauges, want.gauges, `${what}: gauges`);
  assert.deepEqual(got.map, want.map, `${what}: map`);
  assert.equal(got.newestEnd, want.newestEnd, `${what}: newest end`);
}

describe('incremental coverage equals recomputing from scratch', () => {
  it('stitchAt equals stitchHours at every index', () => {
    fc.assert(
      fc.property(fc.array(fc.option(listingArb, { nil: null }), { minLength: N_HOURS, maxLength: N_HOURS }), (listings) => {
        const hours = listings.flatMap((l, i) => (l === null ? [] : [hourOf(i, l)]));
        const full = stitchHours(hours);
        for (let i = 0; i < hours.length; i++) assert.deepEqual(stitchAt(hours, i), full[i]);
      }),
      { numRuns: 200 },
    );
  });

  it('updateQualityCoverage after any sequence of replaced, added and removed hours', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(listingArb, { nil: null }), { minLength: N_HOURS, maxLength: N_HOURS }),
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
        optionsArb,
        (initial, steps, opts) => {
          let hours = initial.flatMap((l, i) => (l === null ? [] : [hourOf(i, l)]));
          let cov = qualityCoverage(hours, opts);
          // what the gauge changes add up to must equal the full gauges
          const exported = new Map<string, readonly GaugeValue[]>(cov.gauges);
          steps.forEach((step, n) => {
            const changes = new Map<number, HourResult | null>();
            for (const op of step) changes.set(H0 + op.hour * HOUR_US, op.listing === null ? null : hourOf(op.hour, op.listing));
            const before = hours;
            hours = withHours(hours, changes);
            assert.deepEqual(
              changedStarts(before, hours),
              new Set([...changes.keys()].filter((t) => before.find((h) => h.start === t) !== hours.find((h) => h.start === t))),
              'changedStarts finds what changed',
            );
            assert.deepEqual(
              hours.map((h) => h.start),
              [...hours.map((h) => h.start)].sort((a, b) => a - b),
              'hours stay sorted',
            );
            const prevMap = cov.map === null ? null : { ...cov.map, pixels: cov.map.pixels.slice() };
            const change = updateQualityCoverage(cov, hours, n % 2 === 0 ? new Set(changes.keys()) : changedStarts(before, hours), opts);
            const want = qualityCoverage(hours, opts);
            assertSameCoverage(change.coverage, want, `step ${n}`);
            for (const [hour, values] of change.gauges) {
              if (values === null) exported.delete(hour);
              else exported.set(hour, values);
            }
            assert.deepEqual(exported, want.gauges, `step ${n}: applied gauge changes`);
            assert.equal(change.mapChanged, JSON.stringify(prevMap) !== JSON.stringify(want.map), `step ${n}: map changed flag`);
            cov = change.coverage;
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a change in one hour of 720 re-derives only that hour and its neighbours', () => {
    const listing = [{ slot: 0, jitterMs: 0, durS: 300, type: 'full' as const, size: 1 }];
    const hours = Array.from({ length: 720 }, (_, i) => hourOf(i, listing));
    const opts = { pixelSeconds: 60, rows: 6 };
    const cov = qualityCoverage(hours, opts);
    const changed = hourOf(400, [...listing, { slot: 5, jitterMs: 0, durS: 300, type: 'partial' as const, size: 1 }]);
    const next = withHours(hours, new Map([[changed.start, changed]]));
    const prevHours = cov.hours;
    const change = updateQualityCoverage(cov, next, new Set([changed.start]), opts);
    assert.deepEqual([...change.gauges.keys()], [changed.hour]);
    const reused = change.coverage.hours.filter((s, i) => s === prevHours[i]).length;
    assert.ok(reused >= 717, `only the changed hour and its neighbours are stitched again (${720 - reused} were)`);
    assert.deepEqual(change.coverage.map, coverageMap(stitchHours(next), opts));
  });
});
