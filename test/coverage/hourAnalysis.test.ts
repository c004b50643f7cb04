import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namesNeedingSize, pickBest } from '../../src/coverage/bestSegment.js';
import { analyzeHour, type HourResult } from '../../src/coverage/hourAnalysis.js';
import { coverageMap, mapGeometryError, WHITE, ORANGE, BLUE } from '../../src/coverage/mapPixels.js';
import { stitchHours } from '../../src/coverage/stitch.js';
import { HOUR_US, type Segment, type SegmentType } from '../../src/coverage/types.js';

const H0 = Date.UTC(2026, 10, 1, 0) * 1000;
const S = 1_000_000;
let n = 0;
function seg(startS: number, durS: number, type: SegmentType = 'full', size?: number, hour = H0): Segment {
  n += 1;
  return {
    name: `${String(n).padStart(4, '0')}.ts`,
    start: hour + Math.round(startS * S),
    duration: Math.round(durS * S),
    type,
    hash: 'AAAA',
    size,
  };
}
function hour(segments: Segment[], start = H0, bad = 0): HourResult {
  return analyzeHour({ hour: new Date(start / 1000).toISOString().slice(0, 13), start, segments, bad });
}

describe('best segment', () => {
  it('prefers the longest full, then the largest suspect, then the largest partial; ties by greatest name', () => {
    const a = { ...seg(0, 2), name: 'a.ts' };
    const b = { ...seg(0, 2.5), name: 'b.ts' };
    const c = { ...seg(0, 2.5), name: 'c.ts' };
    assert.equal(pickBest([a, b, c]).best.name, 'c.ts');
    const s1 = { ...seg(0, 9, 'suspect', 100), name: 'z.ts' };
    const s2 = { ...seg(0, 1, 'suspect', 200), name: 'a.ts' };
    const p = { ...seg(0, 9, 'partial', 999), name: 'zz.ts' };
    assert.equal(pickBest([s1, s2, p]).best.name, 'a.ts');
    assert.equal(pickBest([p, { ...s1 }]).best.name, 'z.ts');
    assert.deepEqual(
      pickBest([s1, s2, p])
        .losers.map((x) => x.name)
        .sort(),
      ['z.ts', 'zz.ts'],
    );
  });

  it('asks for sizes only where they decide', () => {
    const names = namesNeedingSize([
      { ...seg(0, 2, 'suspect'), name: 's1' },
      { ...seg(0, 2, 'suspect'), name: 's2' },
      { ...seg(0, 2, 'partial'), name: 'p0' },
      { ...seg(2, 2, 'full'), name: 'f' },
      { ...seg(2, 2, 'suspect'), name: 's3' },
      { ...seg(2, 2, 'suspect'), name: 's4' },
      { ...seg(4, 2, 'partial'), name: 'p1' },
      { ...seg(4, 2, 'partial'), name: 'p2' },
      { ...seg(6, 2, 'suspect'), name: 's5' },
      { ...seg(6, 2, 'partial'), name: 'p3' },
    ]);
    assert.deepEqual(names.sort(), ['p1', 'p2', 's1', 's2']);
  });
});

describe('raw and editable chains', () => {
  it('counts losers and chain overlaps by their own type', () => {
    const r = hour([seg(0, 2), seg(0, 1.5, 'partial'), seg(1.5, 2, 'suspect'), seg(10, 2)]);
    assert.equal(r.overlapCount.partial, 1);
    assert.equal(r.overlapDuration.partial, 1.5 * S);
    assert.equal(r.overlapCount.suspect, 1, 'the chain overlap is typed by the later segment');
    assert.equal(r.overlapDuration.suspect, 0.5 * S);
    assert.equal(r.rawCoverage, 5.5 * S);
    assert.deepEqual(r.rawHoles, [{ start: H0 + 3.5 * S, end: H0 + 10 * S }]);
    // editable skips the overlapping suspect: hole from 2 s to 10 s
    assert.equal(r.editableCoverage, 4 * S);
    assert.deepEqual(r.editableHoles, [{ start: H0 + 2 * S, end: H0 + 10 * S }]);
    assert.deepEqual(r.partialOnly, [{ start: H0 + 1.5 * S, end: H0 + 3.5 * S }]);
    assert.deepEqual(r.chain, { first: H0, reach: H0 + 12 * S, editEnd: H0 + 12 * S });
  });

  it('uses the 10 ms tolerance on both sides', () => {
    const inTol = hour([seg(0, 2), seg(2.01, 2), seg(4.0, 2)]); // 10 ms late, then 10 ms early
    assert.equal(inTol.rawHoles.length, 0);
    assert.equal(inTol.overlapCount.full, 0);
    assert.equal(inTol.rawCoverage, 6 * S, 'touching within tolerance counts whole durations');
    const over = hour([seg(0, 2), seg(2.011, 2), seg(4.0, 2)]);
    assert.equal(over.rawHoles.length, 1);
    assert.equal(over.overlapCount.full, 1);
    assert.equal(over.overlapDuration.full, 0.011 * S);
  });

  it('keeps the raw reach across a contained segment; the editable chain follows the last taken end', () => {
    const r = hour([seg(0, 10), seg(2, 2), seg(12, 2)]);
    assert.equal(r.chain?.reach, H0 + 14 * S);
    assert.deepEqual(r.rawHoles, [{ start: H0 + 10 * S, end: H0 + 12 * S }]);
    assert.equal(r.overlapDuration.full, 2 * S);
    assert.equal(r.rawCoverage, 12 * S);
  });

  it('gives an hour of temps only no chain but keeps its counts', () => {
    const r = hour([seg(0, 2, 'temp')], H0, 3);
    assert.equal(r.chain, null);
    assert.equal(r.bad, 3);
    assert.equal(r.counts.full, 0);
  });
});

describe('stitching across hours: edge holes', () => {
  it('adds start-of-hour holes from the previous hour and end-of-hour holes except on the last hour', () => {
    const h1 = H0 + HOUR_US;
    const a = hour([seg(3590, 8)]); // reaches 3598 s
    const empty = hour([], h1);
    const b = hour([seg(5, 2, 'full', undefined, h1 + HOUR_US)], h1 + HOUR_US);
    const st = stitchHours([a, empty, b]);
    assert.deepEqual(st[0].rawHoles, [{ start: H0 + 3598 * S, end: h1 }]);
    assert.deepEqual(st[1].rawHoles, []);
    assert.deepEqual(
      st[2].rawHoles,
      [{ start: h1 + HOUR_US, end: h1 + HOUR_US + 5 * S }],
      'start hole from H0, not from the previous reach',
    );
    assert.equal(st[2].isLast, true);
    const spill = hour([seg(3599, 2)]);
    const next = hour([seg(1.005, 2, 'full', undefined, h1)], h1);
    const st2 = stitchHours([spill, next]);
    assert.deepEqual(st2[1].rawHoles, [], 'a spill into the next hour within tolerance joins it');
  });
});

describe('coverage map', () => {
  it('refuses geometries that do not divide the hour', () => {
    assert.match(mapGeometryError(7, 300) ?? '', /divides 3600/);
    assert.match(mapGeometryError(2, 7) ?? '', /rows 7/);
    assert.equal(mapGeometryError(4, 150), null);
  });

  it('snaps holes and partial spans outwards and lets white win', () => {
    const r = hour([seg(0, 3.5), seg(4.5, 1, 'partial'), seg(5.5, 3594.5)]);
    const m = coverageMap(stitchHours([r]), { pixelSeconds: 2, rows: 300 });
    assert.ok(m !== null);
    assert.equal(m.width, 6);
    // hole [3.5, 4.5) → pixels 1..2 white; partial [4.5, 5.5) → pixel 2 (white wins) and ... none else
    assert.deepEqual([...m.pixels.slice(0, 4)], [BLUE, WHITE, WHITE, BLUE]);
    const p = coverageMap(stitchHours([hour([seg(0, 4.5), seg(4.5, 1, 'partial'), seg(5.5, 3594.5)])]), { pixelSeconds: 2, rows: 300 });
    assert.deepEqual([...(p?.pixels.slice(0, 4) ?? [])], [BLUE, BLUE, ORANGE, BLUE]);
  });

  it('paints absent hours white and honours an explicit window', () => {
    const r = hour([seg(0, 3600)]);
    const m = coverageMap(stitchHours([r]), { firstHour: H0 - HOUR_US, lastHour: H0 + HOUR_US, pixelSeconds: 4, rows: 150 });
    assert.ok(m !== null);
    assert.equal(m.width, 18);
    assert.equal(m.origin, H0 - HOUR_US);
    assert.ok(m.pixels.slice(0, 900).every((x) => x === WHITE));
    assert.ok(m.pixels.slice(900, 1800).every((x) => x === BLUE));
    assert.ok(m.pixels.slice(1800).every((x) => x === WHITE));
    assert.equal(coverageMap([], { pixelSeconds: 2, rows: 300 }), null);
  });
});
