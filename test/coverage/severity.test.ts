import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHour, type HourResult } from '../../src/coverage/hourAnalysis.js';
import {
  DEFAULT_LONG_HOLE_US,
  orderHoles,
  pairSeverity,
  severityHoldsUntil,
  STATE_VALUE,
  type SeverityReport,
  type SeverityRules,
} from '../../src/coverage/severity.js';
import type { Interval, Segment } from '../../src/coverage/types.js';
import { windowHoles } from '../../src/coverage/windowHoles.js';
import { reasonText } from '../../src/web/severityText.js';

const S = 1_000_000;
const T0 = Date.UTC(2026, 10, 1, 10) * 1000;
const RULES: SeverityRules = { longHoleUs: 60 * S };

/** A report of a window with these holes (µs offsets from T0), something recorded in it. */
function report(holes: [number, number][], extra: Partial<SeverityReport> = {}): SeverityReport {
  const hs: Interval[] = holes.map(([a, b]) => ({ start: T0 + a, end: T0 + b }));
  return {
    holes: hs,
    longestHoleUs: hs.reduce((m, x) => Math.max(m, x.end - x.start), 0),
    nothingRecorded: false,
    recorded: { start: T0, end: T0 + 3600 * S },
    ...extra,
  };
}

const NOW = T0 + 3600 * S;
const state = (r: SeverityReport, rules = RULES, newest: number | null = NOW): string => pairSeverity(r, newest, NOW, rules).state;

describe('severity: one state per channel and quality (src/coverage/severity.ts)', () => {
  it('ok without a hole; warn with only holes shorter than --long-hole; bad from a hole of exactly --long-hole on', () => {
    assert.deepEqual(pairSeverity(report([]), NOW, NOW, RULES), { state: 'ok', cause: { kind: 'no_hole' } });
    assert.deepEqual(
      pairSeverity(
        report([
          [0, 2 * S],
          [100 * S, 159_999_999],
        ]),
        NOW,
        NOW,
        RULES,
      ),
      { state: 'warn', cause: { kind: 'short_holes', count: 2, longestUs: 59_999_999 } },
    );
    assert.deepEqual(
      pairSeverity(
        report([
          [0, 2 * S],
          [100 * S, 160 * S],
          [200 * S, 300 * S],
        ]),
        NOW,
        NOW,
        RULES,
      ),
      { state: 'bad', cause: { kind: 'long_holes', count: 2, longestUs: 100 * S } },
    );
    // the 2.143 s "hole" is a warn, not a failure
    assert.equal(state(report([[0, 2_143_000]])), 'warn');
    assert.equal(state(report([[0, 2_143_000]]), { longHoleUs: 2 * S }), 'bad');
    assert.equal(DEFAULT_LONG_HOLE_US, 60 * S);
  });

  it('bad: nothing recorded, the window missing the recording, a missing hour, a stopped recording; most urgent cause first', () => {
    assert.deepEqual(pairSeverity(report([], { recorded: null, nothingRecorded: true }), null, NOW, RULES), {
      state: 'bad',
      cause: { kind: 'nothing_recorded' },
    });
    const recorded = { start: T0, end: T0 + 4 * 3600 * S };
    assert.deepEqual(
      pairSeverity(report([[-7 * 24 * 3600 * S, -6 * 24 * 3600 * S]], { nothingRecorded: true, recorded }), NOW, NOW, RULES),
      { state: 'bad', cause: { kind: 'window_misses_recording', recorded } },
    );
    // T0 is on the hour: 10:00-11:00 is one whole hour in a hole; 10:30-12:30 holds one too
    assert.deepEqual(pairSeverity(report([[0, 3600 * S]]), NOW, NOW, RULES), { state: 'bad', cause: { kind: 'missing_hours', count: 1 } });
    assert.deepEqual(pairSeverity(report([[1800 * S, 9000 * S]]), NOW, NOW, RULES).cause, { kind: 'missing_hours', count: 1 });
    // a missing hour is bad even under a --long-hole longer than an hour; 10:30-11:29:59 holds no whole hour
    assert.equal(state(report([[0, 3600 * S]]), { longHoleUs: 7200 * S }), 'bad');
    assert.equal(state(report([[1800 * S, 5399 * S]]), { longHoleUs: 7200 * S }), 'warn');
    const maxAge = { ...RULES, maxAgeUs: 600 * S };
    assert.equal(state(report([]), maxAge, NOW - 600 * S), 'ok', 'exactly max age old: not yet stopped');
    assert.deepEqual(pairSeverity(report([]), NOW - 600 * S - 1, NOW, maxAge), {
      state: 'bad',
      cause: { kind: 'stopped', ageUs: 600 * S + 1 },
    });
    assert.equal(
      pairSeverity(report([[0, 3600 * S]]), NOW - 3600 * S, NOW, maxAge).cause.kind,
      'stopped',
      'stopped comes before the holes',
    );
    assert.equal(state(report([]), RULES, NOW - 1000 * 3600 * S), 'ok', 'no --max-age: never stopped');
  });

  it("from a window report: the placeholder window of wubloader's compose holds none of four recorded hours", () => {
    const segs: Segment[] = Array.from({ length: 4 * 1800 }, (_, i) => ({
      name: `${i}.ts`,
      start: T0 + i * 2 * S,
      duration: 2 * S,
      type: 'full',
      hash: 'AAAA',
    }));
    const hours: HourResult[] = [0, 1, 2, 3].map((h) =>
      analyzeHour({
        hour: new Date((T0 + h * 3600 * S) / 1000).toISOString().slice(0, 13),
        start: T0 + h * 3600 * S,
        segments: segs.slice(h * 1800, (h + 1) * 1800),
        bad: 0,
      }),
    );
    const placeholder = { start: Date.UTC(1969, 11, 31) * 1000, end: Date.UTC(1970, 0, 7) * 1000 };
    const r = windowHoles(hours, placeholder, NOW + 4 * 3600 * S);
    assert.equal(r.holeUs, 7 * 24 * 3600 * S, 'the whole week is one hole');
    const sev = pairSeverity(r, T0 + 4 * 3600 * S, NOW, RULES);
    assert.deepEqual(sev, { state: 'bad', cause: { kind: 'window_misses_recording', recorded: { start: T0, end: T0 + 4 * 3600 * S } } });
    assert.equal(reasonText(sev.cause), 'window holds none of the recording');
    assert.equal(pairSeverity(windowHoles(hours, {}, NOW), T0 + 4 * 3600 * S, NOW, RULES).state, 'ok');
  });

  it('the state follows the clock only through --max-age', () => {
    assert.equal(severityHoldsUntil(NOW, NOW, RULES), null);
    assert.equal(severityHoldsUntil(null, NOW, { ...RULES, maxAgeUs: 60 * S }), null);
    assert.equal(severityHoldsUntil(NOW - 10 * S, NOW, { ...RULES, maxAgeUs: 60 * S }), NOW + 50 * S);
    assert.equal(severityHoldsUntil(NOW - 61 * S, NOW, { ...RULES, maxAgeUs: 60 * S }), null, 'already stopped: stays so');
    assert.deepEqual(STATE_VALUE, { ok: 0, warn: 1, bad: 2 });
  });

  it('orders holes by time or longest first (ties by time), without touching the input', () => {
    const holes = [
      { start: 0, end: 5 },
      { start: 10, end: 30 },
      { start: 40, end: 45 },
      { start: 50, end: 70 },
    ];
    assert.deepEqual(
      orderHoles(holes, 'length').map((x) => x.start),
      [10, 50, 0, 40],
    );
    assert.deepEqual(
      orderHoles(holes, 'time').map((x) => x.start),
      [0, 10, 40, 50],
    );
    assert.deepEqual(
      holes.map((x) => x.start),
      [0, 10, 40, 50],
    );
  });

  it('gives a short reason for every cause', () => {
    assert.equal(reasonText({ kind: 'missing_hours', count: 3 }), '3 missing hours');
    assert.equal(reasonText({ kind: 'long_holes', count: 1, longestUs: 300 * S }), 'long hole of 5 min 00 s');
    assert.equal(reasonText({ kind: 'short_holes', count: 4, longestUs: 2_143_000 }), '4 short holes, longest 2.143 s');
    assert.equal(reasonText({ kind: 'stopped', ageUs: 7200 * S }), 'recording stopped: newest segment ended 2 h 00 min 00 s ago');
  });
});
