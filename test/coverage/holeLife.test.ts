import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyzeHour, type HourResult } from '../../src/coverage/hourAnalysis.js';
import { EMPTY_LIFE, lifeView, oldestOpenAge, stepLife, type LifeEvent, type PairLife } from '../../src/coverage/holeLife.js';
import { holesUnchanged } from '../../src/coverage/holesUnchanged.js';
import { qualityCoverage, updateQualityCoverage, withHours, type QualityCoverage } from '../../src/coverage/qualityCoverage.js';
import { HOUR_US, type Segment, type SegmentType } from '../../src/coverage/types.js';
import { windowHoles, type WindowBounds } from '../../src/coverage/windowHoles.js';

const H = (h: number): number => Date.UTC(2026, 10, 1, h) * 1000;
const S = 1_000_000;
let n = 0;

/** An hour folder `h` with full segments of `len` s from `fromS` to `toS` seconds into it. */
function hour(h: number, runs: Array<[fromS: number, toS: number, len?: number]>): HourResult {
  const segments: Segment[] = [];
  for (const [from, to, len = 2] of runs) {
    for (let t = from; t < to; t += len) {
      segments.push({
        name: `${String(++n).padStart(6, '0')}.ts`,
        start: H(h) + t * S,
        duration: Math.min(len, to - t) * S,
        type: 'full',
        hash: 'AAAA',
      });
    }
  }
  return analyzeHour({ hour: new Date(H(h) / 1000).toISOString().slice(0, 13), start: H(h), segments, bad: 0 });
}

/** A fake clock: each step happens at the time given, in µs. */
function step(
  life: PairLife,
  hours: HourResult[],
  nowUs: number,
  bounds: WindowBounds = {},
  opts = {},
): { life: PairLife; events: LifeEvent[] } {
  return stepLife(life, lifeView(windowHoles(hours, bounds, nowUs)), nowUs, opts);
}
const kinds = (events: readonly LifeEvent[]): string[] => events.map((e) => e.kind);
const spans = (xs: readonly { start: number; end: number }[]): number[][] => xs.map((x) => [(x.start - H(10)) / S, (x.end - H(10)) / S]);

describe('the life of a hole (src/coverage/holeLife.ts)', () => {
  const t0 = H(12);

  it('opens once a later segment exists, shrinks, splits and closes with its fill delay', () => {
    // 10:00-10:10 recorded, 10:10-10:20 missing, then the recorder goes on
    let r = step(EMPTY_LIFE, [hour(10, [[0, 600]])], t0);
    assert.deepEqual(r.events, [], 'the stretch not written yet is no incident');
    r = step(
      r.life,
      [
        hour(10, [
          [0, 600],
          [1200, 1800],
        ]),
      ],
      t0 + 10 * S,
    );
    assert.deepEqual(kinds(r.events), ['opened']);
    const opened = r.events[0].incident;
    assert.deepEqual(spans([opened.span]), [[600, 1200]]);
    assert.equal(opened.openedAt, t0 + 10 * S);
    assert.equal(opened.openedAtStart, false);
    // nothing changed: no event, the same incident
    const same = step(
      r.life,
      [
        hour(10, [
          [0, 600],
          [1200, 1800],
        ]),
      ],
      t0 + 20 * S,
    );
    assert.deepEqual(same.events, []);
    assert.equal(same.life.open[0], opened);
    // the first 100 s come back
    r = step(
      r.life,
      [
        hour(10, [
          [0, 700],
          [1200, 1800],
        ]),
      ],
      t0 + 60 * S,
    );
    assert.deepEqual(kinds(r.events), ['shrunk']);
    assert.deepEqual(spans(r.events[0].incident.open), [[700, 1200]]);
    assert.deepEqual(spans([r.events[0].incident.span]), [[600, 1200]], 'the span stays what was lost');
    // a stretch in the middle comes back: two parts
    r = step(
      r.life,
      [
        hour(10, [
          [0, 700],
          [900, 1000],
          [1200, 1800],
        ]),
      ],
      t0 + 120 * S,
    );
    assert.deepEqual(kinds(r.events), ['split']);
    assert.deepEqual(spans(r.events[0].incident.open), [
      [700, 900],
      [1000, 1200],
    ]);
    // the rest
    r = step(r.life, [hour(10, [[0, 1800]])], t0 + 3600 * S);
    assert.deepEqual(kinds(r.events), ['closed']);
    const closed = r.events[0].incident;
    assert.equal(closed.closedHow, 'filled');
    assert.equal(closed.closedAt, t0 + 3600 * S);
    assert.equal(closed.closedAt - closed.openedAt, 3590 * S);
    assert.deepEqual(closed.open, []);
    assert.deepEqual(r.life.open, []);
  });

  it('a gap of at most 10 ms is never an incident; a missing hour is one like any other', () => {
    const tiny = hour(10, [[0, 600]]);
    const late = analyzeHour({
      hour: tiny.hour,
      start: H(10),
      bad: 0,
      segments: [
        { name: 'a.ts', start: H(10), duration: 600 * S, type: 'full', hash: 'A' },
        { name: 'b.ts', start: H(10) + 600 * S + 10_000, duration: 600 * S, type: 'full', hash: 'A' },
      ],
    });
    assert.deepEqual(step(EMPTY_LIFE, [late], t0).events, []);
    const r = step(EMPTY_LIFE, [hour(10, [[0, 3600]]), hour(12, [[0, 60]])], H(13));
    assert.deepEqual(kinds(r.events), ['opened']);
    assert.deepEqual(spans([r.events[0].incident.span]), [[3600, 7200]]);
  });

  it('the tail of a window bounded by --last-hour is no incident until something is recorded after it', () => {
    const hours = [hour(10, [[0, 600]])];
    assert.equal(windowHoles(hours, { end: H(11) }, H(11)).holes.length, 1);
    assert.deepEqual(step(EMPTY_LIFE, hours, H(11), { end: H(11) }).events, []);
  });

  it('a hole growing (more lost beside it) widens its incident; two holes joined keep both incidents', () => {
    let r = step(
      EMPTY_LIFE,
      [
        hour(10, [
          [0, 600],
          [1200, 1500],
          [1800, 2400],
        ]),
      ],
      t0,
    );
    assert.deepEqual(kinds(r.events), ['opened', 'opened']);
    // 1500-1800 now missing too (and 1200-1500): one hole from 600 to 1800
    r = step(
      r.life,
      [
        hour(10, [
          [0, 600],
          [1800, 2400],
        ]),
      ],
      t0 + S,
    );
    assert.deepEqual(kinds(r.events), ['grew']);
    assert.deepEqual(
      r.life.open.map((i) => spans([i.span])[0]),
      [
        [600, 1500],
        [1500, 1800],
      ],
    );
    assert.deepEqual(
      r.life.open.map((i) => spans(i.open)[0]),
      [
        [600, 1500],
        [1500, 1800],
      ],
    );
  });

  it('closed while down: the first step after a start closes filled parts with the bounds of the outage', () => {
    let r = step(
      EMPTY_LIFE,
      [
        hour(10, [
          [0, 600],
          [1200, 1800],
        ]),
      ],
      t0,
    );
    const lastRecord = t0 + 30 * S;
    r = step(
      r.life,
      [
        hour(10, [[0, 3600]]),
        hour(11, [
          [0, 600],
          [1200, 1800],
        ]),
      ],
      t0 + 3600 * S,
      {},
      { atStart: true, downSince: lastRecord },
    );
    assert.deepEqual(kinds(r.events), ['closed', 'opened']);
    const [closed, opened] = r.events.map((e) => e.incident);
    assert.equal(closed.closedHow, 'filled_while_down');
    assert.equal(closed.downSince, lastRecord);
    assert.equal(opened.openedAtStart, true);
  });

  it('a hole that leaves the window (old hours removed) closes as left_window, not filled', () => {
    let r = step(
      EMPTY_LIFE,
      [
        hour(10, [
          [0, 600],
          [1200, 3600],
        ]),
        hour(11, [[0, 600]]),
      ],
      t0,
    );
    assert.equal(r.life.open.length, 1);
    r = step(r.life, [hour(11, [[0, 600]])], t0 + S);
    assert.equal(r.events[0].incident.closedHow, 'left_window');
  });

  it('oldestOpenAge follows the fake clock', () => {
    const r = step(
      EMPTY_LIFE,
      [
        hour(10, [
          [0, 600],
          [1200, 1800],
        ]),
      ],
      t0,
    );
    assert.equal(oldestOpenAge(r.life, t0 + 90 * S), 90 * S);
    assert.equal(oldestOpenAge(EMPTY_LIFE, t0), null);
  });
});

describe('holesUnchanged: skipping the window report gives the same life as computing it every time', () => {
  const H0 = H(0);
  const segArb = fc.record({
    slot: fc.integer({ min: 0, max: 11 }),
    durS: fc.constantFrom(300, 300, 150, 420, 5400),
    type: fc.constantFrom<SegmentType>('full', 'full', 'partial', 'temp'),
  });
  const listing = fc.array(segArb, { maxLength: 8 });
  const segsOf = (i: number, l: readonly { slot: number; durS: number; type: SegmentType }[]): Segment[] =>
    l.map((s, k) => ({
      name: `${k}.ts`,
      start: H0 + i * HOUR_US + s.slot * 300 * S,
      duration: s.durS * S,
      type: s.type,
      hash: 'A',
      size: 1,
    }));
  const hourOf = (i: number, segments: readonly Segment[]): HourResult =>
    analyzeHour({
      hour: new Date((H0 + i * HOUR_US) / 1000).toISOString().slice(0, 13),
      start: H0 + i * HOUR_US,
      bad: 0,
      segments: [...segments],
    });
  // an edit: replace one hour's listing, drop it, or add a segment where the newest hour's chain ends (the live edge)
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), i: fc.integer({ min: 0, max: 5 }), l: listing }),
    fc.record({ kind: fc.constant('drop' as const), i: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant('append' as const), durS: fc.constantFrom(1, 2, 300), gapMs: fc.constantFrom(0, 0, 5, 2000) }),
  );

  it('for random edits, with and without bounds', () => {
    let skipped = 0;
    fc.assert(
      fc.property(
        fc.array(listing, { minLength: 1, maxLength: 6 }),
        fc.array(edit, { maxLength: 12 }),
        fc.boolean(),
        (init, edits, bounded) => {
          const opts = {
            firstHour: bounded ? H0 : undefined,
            lastHour: bounded ? H0 + 4 * HOUR_US : undefined,
            pixelSeconds: 2,
            rows: 300,
          };
          const listed = new Map<number, Segment[]>(init.map((l, i) => [i, segsOf(i, l)]));
          let hours = [...listed].map(([i, l]) => hourOf(i, l));
          let cov: QualityCoverage = qualityCoverage(hours, opts);
          let now = H0 + 10 * HOUR_US;
          let fast = stepLife(EMPTY_LIFE, lifeView(windowHoles(hours, cov.bounds, now)), now).life;
          let full = fast;
          let prevHours = cov.hours;
          for (const e of edits) {
            now += S;
            let i: number;
            if (e.kind === 'append') {
              const last = [...hours].reverse().find((h) => h.chain !== null);
              if (last === undefined || last.chain === null) continue;
              i = Math.round((last.start - H0) / HOUR_US);
              const at = last.chain.reach + e.gapMs * 1000;
              listed.set(i, [...(listed.get(i) ?? []), { name: `z${now}.ts`, start: at, duration: e.durS * S, type: 'full', hash: 'A' }]);
            } else {
              i = e.i;
              if (e.kind === 'set') listed.set(i, segsOf(i, e.l));
              else listed.delete(i);
            }
            const l = listed.get(i);
            const changes = new Map<number, HourResult | null>([[H0 + i * HOUR_US, l === undefined ? null : hourOf(i, l)]]);
            const next = withHours(hours, changes);
            cov = updateQualityCoverage(cov, next, new Set(changes.keys()), opts).coverage;
            hours = next;
            const view = lifeView(windowHoles(hours, cov.bounds, now));
            full = stepLife(full, view, now).life;
            if (holesUnchanged(prevHours, cov.hours, cov.bounds, cov.bounds)) skipped++;
            else fast = stepLife(fast, view, now).life;
            prevHours = cov.hours;
            assert.deepEqual(fast, full);
          }
        },
      ),
      { numRuns: 400 },
    );
    assert.ok(skipped > 100, `the fast path was taken ${skipped} times: the property tests it`);
  });
});
