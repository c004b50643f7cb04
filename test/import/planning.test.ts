import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChunks } from '../../src/import/chunkPlan.js';
import { fillRanges } from '../../src/import/fillPlan.js';
import { FrameGrid } from '../../src/import/frameGrid.js';
import { formatIsoMicros, parseIsoMicros, parseOffsetText } from '../../src/time/isoTime.js';
import { parseStages } from '../../src/import/stages.js';
import { holesIn } from '../../src/import/storeHoles.js';
import { ticksToMicros } from '../../src/import/timebase.js';

/** Frames of a constant-rate source: `n` frames `step` µs apart from `origin`. */
function cfr(n: number, step: number, origin = 0): FrameGrid {
  return new FrameGrid(
    Array.from({ length: n }, (_, i) => origin + Math.round(i * step)),
    Math.round(step),
  );
}

describe('chunk planning', () => {
  it('cuts between frames, chunks share boundaries, a short tail merges', () => {
    const g = cfr(30 * 8 + 15, 1e6 / 30); // 8.5 s at 30 fps: the last 0.5 s joins the chunk before
    const chunks = [...planChunks(g, [{ first: 0, end: g.size }], 2_000_000)];
    assert.deepEqual(
      chunks.map((c) => c.frames),
      [60, 60, 60, 75],
    );
    assert.equal(chunks[0].cutFromUs, null);
    assert.equal(chunks[3].cutToUs, null);
    for (let i = 1; i < chunks.length; i++) {
      assert.equal(chunks[i].firstBoundary, chunks[i - 1].endBoundary);
      assert.equal(chunks[i].cutFromUs, chunks[i - 1].cutToUs);
      // the cut lies strictly between the two frames around it
      assert.ok(chunks[i].cutFromUs! > g.frames[chunks[i].firstBoundary - 1] && chunks[i].cutFromUs! < g.frames[chunks[i].firstBoundary]);
    }
  });

  it('never lets a chunk span a gap in the source', () => {
    const frames = [...Array(30).keys()].map((i) => i * 33_333).concat([...Array(30).keys()].map((i) => 5_000_000 + i * 33_333));
    const g = new FrameGrid(frames, 33_333);
    const chunks = [...planChunks(g, [{ first: 0, end: g.size }], 2_000_000)];
    assert.deepEqual(
      chunks.map((c) => [c.firstBoundary, c.endBoundary]),
      [
        [0, 30],
        [30, 60],
      ],
    );
  });

  it('fill snaps outwards to frames, but takes a frame within 10 ms as the edge', () => {
    const g = cfr(300, 40_000); // 25 fps, 12 s
    const startAt = 1_000_000_000;
    // aligned hole [2 s, 4 s): exactly frames 50..100
    assert.deepEqual(fillRanges(g, [{ start: startAt + 2_000_000, end: startAt + 4_000_000 }], startAt, { first: 0, end: 300 }), [
      { first: 50, end: 100 },
    ]);
    // hole 20 ms off the grid on both sides: widened to the enclosing frames
    assert.deepEqual(fillRanges(g, [{ start: startAt + 2_020_000, end: startAt + 3_980_000 }], startAt, { first: 0, end: 300 }), [
      { first: 50, end: 100 },
    ]);
    // hole 5 ms off the grid: those frames are the edges
    assert.deepEqual(fillRanges(g, [{ start: startAt + 2_035_000, end: startAt + 3_965_000 }], startAt, { first: 0, end: 300 }), [
      { first: 51, end: 99 },
    ]);
  });
});

describe('holes in a span', () => {
  it('counts edges and inner gaps over 10 ms, tolerates smaller ones', () => {
    const r = holesIn({ start: 0, end: 100_000_000 }, [
      { start: -5_000_000, end: 10_000_000 },
      { start: 10_005_000, end: 40_000_000 },
      { start: 50_000_000, end: 90_000_000 },
    ]);
    assert.deepEqual(r.holes, [
      { start: 40_000_000, end: 50_000_000 },
      { start: 90_000_000, end: 100_000_000 },
    ]);
    assert.equal(r.coveredUs, 80_000_000);
  });
});

describe('small parsers', () => {
  it('stages', () => {
    assert.deepEqual(parseStages('cut,checksum,decode', true), ['cut', 'checksum', 'decode']);
    assert.equal(parseStages('cut,decode', true), 'needs "checksum": the hash is part of every segment name');
    assert.match(String(parseStages('cut,zip', true)), /unknown stage "zip"/);
    assert.deepEqual(parseStages('checksum,decode', false), ['checksum', 'decode']);
  });
  it('times and offsets keep microseconds', () => {
    assert.equal(formatIsoMicros(parseIsoMicros('2026-11-01T07:59:00.123456Z')), '2026-11-01T07:59:00.123456Z');
    assert.equal(parseIsoMicros('2026-11-01T08:00:00+01:00'), Date.UTC(2026, 10, 1, 7) * 1000);
    assert.equal(parseOffsetText('90.5'), 90_500_000);
    assert.equal(parseOffsetText('01:02:03.25'), 3_723_250_000);
    assert.equal(parseOffsetText('1:75'), null);
    assert.equal(ticksToMicros(3000, { num: 1, den: 90000 }), 33_333);
    assert.equal(ticksToMicros(6000, { num: 1, den: 90000 }), 66_667);
  });
});
