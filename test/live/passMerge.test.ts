import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeHour, type HourResult } from '../../src/coverage/hourAnalysis.js';
import { HOUR_US } from '../../src/coverage/types.js';
import { mergePass } from '../../src/live/passMerge.js';

const H0 = Date.UTC(2026, 10, 1) * 1000;
function hour(i: number, segments: number): HourResult {
  const start = H0 + i * HOUR_US;
  return analyzeHour({
    hour: new Date(start / 1000).toISOString().slice(0, 13),
    start,
    bad: 0,
    segments: Array.from({ length: segments }, (_, k) => ({
      name: `${k}.ts`,
      start: start + k * 2_000_000,
      duration: 2_000_000,
      type: 'full' as const,
      hash: 'AAAA',
    })),
  });
}

describe('a full pass meeting the live state', () => {
  it('keeps the live copy of an hour that changed while the pass ran, and asks for a re-read', () => {
    const live = [hour(0, 3), hour(1, 5)];
    const disk = [hour(0, 3), hour(1, 4), hour(2, 1)];
    const m = mergePass(disk, live, (h) => h === live[1].hour, true);
    assert.deepEqual(
      m.hours.map((h) => h.hour),
      [live[0].hour, live[1].hour, disk[2].hour],
      'in hour order',
    );
    assert.equal(m.hours[1], live[1], 'the newer live copy');
    assert.equal(m.hours[0], disk[0], 'the pass result elsewhere');
    assert.deepEqual(m.rereads, [live[1].hour]);
    assert.deepEqual(m.mismatched, [disk[2].hour], 'an hour the live state never saw is a missed event');
  });

  it('counts disagreements only while the live state is trusted', () => {
    const live = [hour(0, 3), hour(1, 5)];
    const disk = [hour(1, 6)];
    assert.deepEqual(mergePass(disk, live, () => false, true).mismatched.sort(), [live[0].hour, live[1].hour].sort());
    const untrusted = mergePass(disk, live, () => false, false);
    assert.deepEqual(untrusted.mismatched, []);
    assert.deepEqual(untrusted.hours, disk, 'the pass wins; a vanished hour is dropped');
  });

  it('keeps the held copy of an hour the pass found there and could not read (no mismatch); drops it once gone', () => {
    const live = [hour(0, 3), hour(1, 5)];
    const m = mergePass([hour(0, 3)], live, () => false, true, new Set([live[1].hour]));
    assert.equal(m.hours[1], live[1], 'unreadable is not gone: the last values stay');
    assert.deepEqual(m.mismatched, []);
    assert.deepEqual(
      mergePass([hour(0, 3)], live, () => false, false).hours.map((h) => h.hour),
      [live[0].hour],
      'gone: dropped',
    );
  });
});
