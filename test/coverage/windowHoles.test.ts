import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHour, type HourResult } from '../../src/coverage/hourAnalysis.js';
import { HOUR_US, type Segment } from '../../src/coverage/types.js';
import fc from 'fast-check';
import { coverageWindowHoles } from '../../src/coverage/coverageWindow.js';
import { qualityCoverage } from '../../src/coverage/qualityCoverage.js';
import { windowHoles, windowSettled, type Chain } from '../../src/coverage/windowHoles.js';

const H = (h: number): number => Date.UTC(2026, 10, 1, h) * 1000;
const S = 1_000_000;
let n = 0;

/** An hour folder `h` with full segments of `len` s from `fromS` to `toS` seconds into it. */
function hour(h: number, runs: Array<[fromS: number, toS: number, len?: number]>): HourResult {
  const segments: Segment[] = [];
  for (const [from, to, len = 2] of runs) {
    for (let t = from; t < to; t += len) {
      segments.push({ name: `${String(++n).padStart(6, '0')}.ts`, start: H(h) + t * S, duration: len * S, type: 'full', hash: 'AAAA' });
    }
  }
  return analyzeHour({ hour: new Date(H(h) / 1000).toISOString().slice(0, 13), start: H(h), segments, bad: 0 });
}
const pairs = (r: { holes: readonly { start: number; end: number }[] }): number[][] => r.holes.map((x) => [x.start, x.end]);

describe('window holes (src/coverage/windowHoles.ts)', () => {
  // Hours 10, 11, 12 whole; 13 missing; 14 whole up to 14:40 (the newest segment).
  const demo = [hour(10, [[0, 3600]]), hour(11, [[0, 3600]]), hour(12, [[0, 3600]]), hour(14, [[0, 2400]])];

  it('a whole missing hour is one hole of exactly that hour, though no per-hour gauge has it', () => {
    const r = windowHoles(demo, {}, H(20));
    assert.deepEqual(r.window, { start: H(10), end: H(14) + 2400 * S });
    assert.deepEqual(pairs(r), [[H(13), H(14)]]);
    assert.equal(r.holeUs, HOUR_US);
    assert.equal(r.longestHoleUs, HOUR_US);
    assert.equal(r.missingHours, 1);
    assert.equal(r.coveredUs + r.holeUs, H(14) + 2400 * S - H(10));
    assert.equal(r.coveragePct, (r.coveredUs / (r.coveredUs + r.holeUs)) * 100);
    assert.equal(r.nothingRecorded, false);
  });

  it('the window starts at the first segment: the time before recording began is no hole (issue 25)', () => {
    const r = windowHoles([hour(10, [[600, 3600]])], {}, H(20));
    assert.deepEqual(r.window, { start: H(10) + 600 * S, end: H(11) });
    assert.deepEqual(pairs(r), []);
    assert.deepEqual(r.recorded, { start: H(10) + 600 * S, end: H(11) });
    // the clean 300 h recording whose first segment starts at 10:00:02.14: 100 %, no hole
    const first = 2_140_000;
    const clean = Array.from({ length: 300 }, (_, i) => hour(10 + i, i === 0 ? [[first / S, 3600, 600]] : [[0, 3600, 600]]));
    const c = windowHoles(clean, {}, H(400));
    assert.deepEqual([c.window?.start, c.holes.length, c.coveragePct], [H(10) + first, 0, 100]);
    // a window start given (--first-hour, --since) is kept: the gap after it is a hole
    assert.deepEqual(pairs(windowHoles([hour(10, [[600, 3600]])], { start: H(10) }, H(20))), [[H(10), H(10) + 600 * S]]);
    // the earliest segment may lie in a later hour folder than the earliest folder: an empty folder does not start the window
    assert.equal(windowHoles([hour(9, []), hour(10, [[5, 3600]])], {}, H(20)).window?.start, H(10) + 5 * S);
  });

  it('missing first and last hours of a given window are holes and missing hours', () => {
    const r = windowHoles(demo, { start: H(9), end: H(16) }, H(20));
    assert.deepEqual(pairs(r), [
      [H(9), H(10)],
      [H(13), H(14)],
      [H(14) + 2400 * S, H(16)],
    ]);
    assert.equal(r.missingHours, 3); // 09, 13, 15 (14 has segments)
    assert.equal(r.longestHoleUs, HOUR_US + 20 * 60 * S);
  });

  it('the future is not a hole: a window end after now is cut at now', () => {
    const now = H(15) + 90 * S;
    const r = windowHoles(demo, { start: H(10), end: H(18) }, now);
    assert.deepEqual(r.window, { start: H(10), end: now });
    assert.deepEqual(pairs(r), [
      [H(13), H(14)],
      [H(14) + 2400 * S, now],
    ]);
    assert.equal(r.missingHours, 1, 'hour 15 is not over yet: not missing');
  });

  it('a store that ends before now: without an end, the live edge is not a hole', () => {
    const r = windowHoles(demo, { start: H(10) }, H(23));
    assert.equal(r.window?.end, H(14) + 2400 * S);
    assert.deepEqual(pairs(r), [[H(13), H(14)]]);
  });

  it('an empty window: one hole of all of it, nothing recorded; no start and nothing recorded: no window', () => {
    const r = windowHoles([], { start: H(9), end: H(11) }, H(20));
    assert.deepEqual(pairs(r), [[H(9), H(11)]]);
    assert.equal(r.nothingRecorded, true);
    assert.equal(r.coveragePct, 0);
    assert.equal(r.missingHours, 2);
    const since = windowHoles([], { start: H(9) }, H(9) + 60 * S);
    assert.deepEqual(pairs(since), [[H(9), H(9) + 60 * S]]);
    const none = windowHoles([hour(5, [])], {}, H(20));
    assert.equal(none.window, null);
    assert.equal(none.holes.length, 0);
    assert.equal(none.nothingRecorded, true);
    assert.equal(none.coveragePct, null);
  });

  it('recorded only outside the window is nothing recorded inside it', () => {
    const r = windowHoles(demo, { start: H(16), end: H(17) }, H(20));
    assert.deepEqual(pairs(r), [[H(16), H(17)]]);
    assert.equal(r.nothingRecorded, true);
  });

  it('gaps up to 10 ms are not holes; longer ones are, across an hour boundary too', () => {
    const gap = (us: number): HourResult[] => {
      const seg: Segment = { name: 'x.ts', start: H(10) + 3598 * S + us, duration: 2 * S - us, type: 'full', hash: 'AAAA' };
      const b = analyzeHour({
        hour: '2026-11-01T10',
        start: H(10),
        segments: [
          ...Array.from({ length: 1799 }, (_, i) => ({
            name: `${i}.ts`,
            start: H(10) + i * 2 * S,
            duration: 2 * S,
            type: 'full' as const,
            hash: 'AAAA',
          })),
          seg,
        ],
        bad: 0,
      });
      return [b, hour(11, [[0, 60]])];
    };
    assert.equal(windowHoles(gap(10_000), {}, H(20)).holes.length, 0);
    assert.deepEqual(pairs(windowHoles(gap(10_001), {}, H(20))), [[H(10) + 3598 * S, H(10) + 3598 * S + 10_001]]);
  });

  it('the editable chain has its own holes where the raw chain has none', () => {
    // 0–4 s, then a segment 3–6 s overlapping it (skipped by the cutter's chain), then 6–8 s.
    const h = analyzeHour({
      hour: '2026-11-01T10',
      start: H(10),
      bad: 0,
      segments: [
        { name: 'a.ts', start: H(10), duration: 4 * S, type: 'full', hash: 'AAAA' },
        { name: 'b.ts', start: H(10) + 3 * S, duration: 3 * S, type: 'full', hash: 'AAAA' },
        { name: 'c.ts', start: H(10) + 6 * S, duration: 2 * S, type: 'full', hash: 'AAAA' },
      ],
    });
    assert.deepEqual(pairs(windowHoles([h], {}, H(20), 'raw')), []);
    assert.deepEqual(pairs(windowHoles([h], {}, H(20), 'editable')), [[H(10) + 4 * S, H(10) + 6 * S]]);
  });
});

describe('window end without an explicit end', () => {
  it("is the newest segment's end even when that segment covers nothing new: the gap before it is a hole", () => {
    const a = hour(10, [[0, 600]]);
    // A zero-length segment at 10:20:00: it ends the window, and 10:10–10:20 is a hole.
    const b = analyzeHour({
      hour: '2026-11-01T10',
      start: H(10),
      bad: 0,
      segments: [
        ...Array.from({ length: 300 }, (_, i) => ({
          name: `${i}.ts`,
          start: H(10) + i * 2 * S,
          duration: 2 * S,
          type: 'full' as const,
          hash: 'AAAA',
        })),
        { name: 'z.ts', start: H(10) + 1200 * S, duration: 0, type: 'full', hash: 'AAAA' },
      ],
    });
    assert.equal(windowHoles([a], {}, H(20)).window?.end, H(10) + 600 * S);
    const r = windowHoles([b], {}, H(20));
    assert.equal(r.window?.end, H(10) + 1200 * S);
    assert.deepEqual(pairs(r), [[H(10) + 600 * S, H(10) + 1200 * S]]);
  });
});

describe('the window end rule: never after max(now, the newest segment end) (issue 23)', () => {
  // Hours 10–12 whole, 14 up to 14:40 as above; the host clock an hour behind the recorder's.
  const demo = [hour(10, [[0, 3600]]), hour(11, [[0, 3600]]), hour(12, [[0, 3600]]), hour(14, [[0, 2400]])];
  const edge = H(14) + 2400 * S;
  const now = edge - HOUR_US;

  it('without an end: the window ends at the live edge, past a clock that is behind; no hole after now', () => {
    const r = windowHoles(demo, {}, now);
    assert.deepEqual(r.window, { start: H(10), end: edge });
    assert.deepEqual(pairs(r), [[H(13), H(14)]]);
    assert.equal(r.coveredUs, edge - H(10) - HOUR_US, 'the recorded time after now is counted as covered');
  });

  it('with an end: recorded time after now is not cut either; the end and the live edge still bound it', () => {
    assert.deepEqual(windowHoles(demo, { start: H(10), end: H(18) }, now).window, { start: H(10), end: edge });
    assert.deepEqual(windowHoles(demo, { start: H(10), end: H(14) + 600 * S }, now).window, { start: H(10), end: H(14) + 600 * S });
    assert.deepEqual(
      windowHoles(demo, { start: H(10), end: H(18) }, edge + 60 * S).window,
      { start: H(10), end: edge + 60 * S },
      'a clock ahead: the tail up to now is a hole',
    );
  });

  it('for any store, bounds and clock: the window never ends after max(now, newest end), nor after a given end', () => {
    const arbRun = fc
      .tuple(fc.integer({ min: 0, max: 3599 }), fc.integer({ min: 1, max: 3600 }))
      .map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]);
    const arbHours = fc.uniqueArray(fc.tuple(fc.integer({ min: 8, max: 16 }), fc.array(arbRun, { maxLength: 2 })), {
      selector: ([h]) => h,
      maxLength: 4,
    });
    const arbAt = fc.integer({ min: H(6), max: H(22) });
    fc.assert(
      fc.property(arbHours, fc.option(arbAt), fc.option(arbAt), arbAt, (spec, start, end, at) => {
        const hours = spec.map(([h, runs]) =>
          hour(
            h,
            runs.map(([a, b]): [number, number, number] => [a, b, 10]).filter(([a, b]) => b - a >= 10),
          ),
        );
        const r = windowHoles(hours, { ...(start === null ? {} : { start }), ...(end === null ? {} : { end }) }, at);
        if (r.window === null) return;
        const newest = Math.max(...hours.map((h) => h.newestEnd ?? -Infinity));
        assert.ok(r.window.end <= Math.max(at, newest), 'never after both now and the live edge');
        if (end !== null) assert.ok(r.window.end <= end);
        else if (newest > r.window.start) assert.equal(r.window.end, newest, 'without an end: the live edge, whatever the clock');
      }),
      { numRuns: 300 },
    );
  });
});

describe('windowSettled: when a report no longer follows the clock', () => {
  it('a settled report equals the report of every later now; an unsettled one differs from the far future', () => {
    let settled = 0;
    let following = 0;
    const arbRun = fc
      .tuple(fc.integer({ min: 0, max: 3599 }), fc.integer({ min: 1, max: 3600 }))
      .map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]);
    const arbHours = fc.uniqueArray(fc.tuple(fc.integer({ min: 8, max: 16 }), fc.array(arbRun, { maxLength: 2 })), {
      selector: ([h]) => h,
      maxLength: 4,
    });
    const arbAt = fc.integer({ min: H(6), max: H(22) });
    fc.assert(
      fc.property(
        arbHours,
        fc.option(arbAt),
        fc.option(arbAt),
        arbAt,
        fc.integer({ min: 0, max: 20 * 3600 * S }),
        (spec, start, end, now, later) => {
          const hours = spec.map(([h, runs]) =>
            hour(
              h,
              runs.map(([a, b]): [number, number, number] => [a, b, 10]).filter(([a, b]) => b - a >= 10),
            ),
          );
          const b = { ...(start === null ? {} : { start }), ...(end === null ? {} : { end }) };
          const r = windowHoles(hours, b, now);
          if (windowSettled(r.window, r.covered, hours, b)) {
            settled++;
            assert.deepEqual(windowHoles(hours, b, now + later), r);
          } else {
            following++;
            assert.notDeepEqual(windowHoles(hours, b, Number.MAX_SAFE_INTEGER).window, r.window);
          }
        },
      ),
      { numRuns: 300 },
    );
    assert.ok(settled > 20 && following > 20, `both cases seen (${settled} settled, ${following} following the clock)`);
  });
});

describe('coverageWindowHoles: one report per coverage update while settled', () => {
  it('always the report windowHoles gives, for any sequence of nows and both chains; a settled one is reused, a clock-following one is not', () => {
    let reused = 0;
    let recomputed = 0;
    const arbRun = fc
      .tuple(fc.integer({ min: 0, max: 3599 }), fc.integer({ min: 1, max: 3600 }))
      .map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]);
    const arbHours = fc.uniqueArray(fc.tuple(fc.integer({ min: 8, max: 16 }), fc.array(arbRun, { maxLength: 2 })), {
      selector: ([h]) => h,
      maxLength: 4,
    });
    const arbHour = fc.option(fc.integer({ min: 6, max: 20 }));
    const arbNows = fc.array(fc.integer({ min: H(6), max: H(23) }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(arbHours, arbHour, arbHour, arbNows, fc.constantFrom<Chain>('raw', 'editable'), (spec, first, last, nows, chain) => {
        const hours = spec
          .map(([h, runs]) =>
            hour(
              h,
              runs.map(([a, b]): [number, number, number] => [a, b, 10]).filter(([a, b]) => b - a >= 10),
            ),
          )
          .sort((x, y) => x.start - y.start);
        const cov = qualityCoverage(hours, {
          pixelSeconds: 60,
          rows: 60,
          ...(first === null ? {} : { firstHour: H(first) }),
          ...(last === null ? {} : { lastHour: H(last) }),
        });
        let prev: ReturnType<typeof coverageWindowHoles> | null = null;
        let prevNow = -Infinity;
        for (const now of nows) {
          const got = coverageWindowHoles(cov, now, chain);
          assert.deepEqual(
            got,
            windowHoles(
              cov.hours.map((x) => x.result),
              cov.bounds,
              now,
              chain,
            ),
          );
          if (
            prev !== null &&
            now >= prevNow &&
            windowSettled(
              prev.window,
              prev.covered,
              cov.hours.map((x) => x.result),
              cov.bounds,
            )
          ) {
            assert.equal(got, prev, 'settled: the very same report at a later now');
            reused++;
          } else if (prev !== null && got !== prev) {
            recomputed++;
          }
          prev = got;
          prevNow = now;
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(reused > 20 && recomputed > 20, `both cases seen (${reused} reused, ${recomputed} computed again)`);
  });
});
