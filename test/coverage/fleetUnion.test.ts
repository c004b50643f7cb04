import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fleetHoleFigures, peerCover } from '../../src/coverage/fleetUnion.js';
import { intersectSpans, mergeSpans, spansLength, uncoveredSpans, unionSpans } from '../../src/coverage/spans.js';
import type { Interval } from '../../src/coverage/types.js';
import { windowHoles } from '../../src/coverage/windowHoles.js';
import { analyzeHour } from '../../src/coverage/hourAnalysis.js';
import { fleetHoleFiguresOf } from '../../src/web/fleetView.js';

const iv = (start: number, end: number): Interval => ({ start, end });
const S = 1_000_000;

describe('fleet union and peer cover (pure)', () => {
  it('merges, unions and intersects sets of spans', () => {
    assert.deepEqual(mergeSpans([iv(5, 7), iv(0, 2), iv(2, 3), iv(6, 9), iv(4, 4)]), [iv(0, 3), iv(5, 9)]);
    assert.deepEqual(unionSpans([[iv(0, 10)], [iv(5, 20)], [iv(30, 40)]]), [iv(0, 20), iv(30, 40)]);
    assert.deepEqual(intersectSpans([iv(0, 10), iv(20, 30)], [iv(5, 25)]), [iv(5, 10), iv(20, 25)]);
    assert.equal(spansLength([iv(0, 10), iv(5, 15)]), 15);
  });

  it('holes of a window: gaps over 10 ms only', () => {
    const w = iv(0, 100 * S);
    assert.deepEqual(uncoveredSpans(w, [iv(0, 10 * S), iv(10 * S + 5_000, 50 * S), iv(60 * S, 100 * S)]), [iv(50 * S, 60 * S)]);
    assert.deepEqual(uncoveredSpans(w, []), [w]);
  });

  it('says which peers hold each hole, fully or partly, and how much', () => {
    const holes = [iv(10 * S, 20 * S), iv(50 * S, 60 * S), iv(80 * S, 90 * S)];
    const out = peerCover(holes, [
      { node: 'b', covered: [iv(0, 30 * S), iv(55 * S, 58 * S)] },
      { node: 'c', covered: [iv(50 * S, 70 * S)] },
    ]);
    assert.deepEqual(
      out.map((h) => h.peers.map((p) => [p.node, p.cover, p.coveredUs])),
      [
        [['b', 'full', 10 * S]],
        [
          ['b', 'partial', 3 * S],
          ['c', 'full', 10 * S],
        ],
        [],
      ],
    );
  });

  it("fleet figures: time no node has, and this node's holes that peers have", () => {
    const w = iv(0, 100 * S);
    const self = [iv(0, 40 * S), iv(60 * S, 100 * S)];
    const holes = uncoveredSpans(w, self);
    const f = fleetHoleFigures(w, holes, self, [{ node: 'b', covered: [iv(30 * S, 50 * S)] }]);
    assert.equal(f.fleetHoleUs, 10 * S);
    assert.deepEqual(f.fleetHoles, [iv(50 * S, 60 * S)]);
    assert.equal(f.localOnlyHoleUs, 10 * S);
    // A peer that is down (not passed) covers nothing: everything is the fleet's loss.
    const alone = fleetHoleFigures(w, holes, self, []);
    assert.equal(alone.fleetHoleUs, 20 * S);
    assert.equal(alone.localOnlyHoleUs, 0);
  });

  it("property: fleet holes + local-only = this node's holes; the union covers every node", () => {
    const span = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 200 })).map(([a, l]) => iv(a * S, (a + l) * S));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 8 }), fc.array(fc.array(span, { maxLength: 8 }), { maxLength: 3 }), (self, peers) => {
        const w = iv(0, 1200 * S);
        const holes = uncoveredSpans(w, self);
        const nodes = peers.map((covered, i) => ({ node: `p${i}`, covered }));
        const f = fleetHoleFigures(w, holes, self, nodes);
        assert.equal(f.fleetHoleUs + f.localOnlyHoleUs, spansLength(holes));
        const union = unionSpans([self, ...peers]);
        for (const set of [self, ...peers]) assert.equal(spansLength(intersectSpans(set, union)), spansLength(set));
        for (const h of f.fleetHoles) assert.equal(spansLength(intersectSpans([h], union)), 0);
      }),
    );
  });

  it('mergeSpans: the same merged list whether its input comes sorted (no sort made) or in any order, and exactly the points covered', () => {
    const arbSpan = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 12 })).map(([a, len]) => iv(a, a + len));
    fc.assert(
      fc.property(fc.array(arbSpan, { maxLength: 12 }), fc.integer({ min: 0, max: 3 }), (spans, gap) => {
        const ordered = [...spans].sort((a, b) => a.start - b.start);
        const merged = mergeSpans(spans, gap);
        assert.deepEqual(mergeSpans(ordered, gap), merged);
        assert.deepEqual(mergeSpans([...ordered].reverse(), gap), merged);
        // disjoint, sorted, non-empty, more than `gap` apart; every covered point in, nothing else
        for (let i = 0; i < merged.length; i++) {
          assert.ok(merged[i].end > merged[i].start);
          if (i > 0) assert.ok(merged[i].start > merged[i - 1].end + gap);
        }
        for (let t = 0; t < 75; t++) {
          const inInput = spans.some((x) => t >= x.start && t < x.end);
          const inMerged = merged.some((x) => t >= x.start && t < x.end);
          if (inInput) assert.ok(inMerged, `point ${t} lost`);
          if (inMerged && !inInput) assert.ok(gap > 0, `point ${t} added without a gap to close`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('with no peer answering, the fleet figures of a window report are its holes and nothing local-only, as the full union finds', () => {
    let withHoles = 0;
    const H0 = Date.UTC(2026, 10, 1) * 1000;
    const arbHour = fc.tuple(
      fc.integer({ min: 0, max: 5 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3590 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 90 })), {
        maxLength: 4,
      }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(arbHour, { selector: ([h]) => h, maxLength: 4 }), fc.integer({ min: 0, max: 8 * 3600 }), (spec, nowS) => {
        let n = 0;
        const hours = spec.map(([h, runs]) => {
          const start = H0 + h * 3600 * S;
          const segments = runs.flatMap(([from, count, len]) =>
            Array.from({ length: count }, (_, k) => ({
              name: `${String(++n).padStart(6, '0')}.ts`,
              start: start + (from + k * len) * S,
              duration: len * S,
              type: 'full' as const,
              hash: 'AAAA',
            })).filter((x) => x.start < start + 3600 * S),
          );
          return analyzeHour({ hour: new Date(start / 1000).toISOString().slice(0, 13), start, segments, bad: 0 });
        });
        const r = windowHoles(hours, {}, H0 + nowS * S);
        const got = fleetHoleFiguresOf('c', 'q', r, []);
        const full =
          r.window === null || r.window.end === r.window.start
            ? { fleetHoleUs: 0, localOnlyHoleUs: 0 }
            : fleetHoleFigures(r.window, r.holes, r.covered, []);
        assert.deepEqual(got, { fleetHoleUs: full.fleetHoleUs, localOnlyHoleUs: full.localOnlyHoleUs });
        if (got.fleetHoleUs > 0) withHoles++;
      }),
      { numRuns: 300 },
    );
    assert.ok(withHoles > 50, `holes seen (${withHoles})`);
  });
});
