import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkQuality } from '../../src/cli/checkReport.js';
import { analyzeHour } from '../../src/coverage/hourAnalysis.js';
import { parseSegmentName } from '../../src/store/segmentName.js';

const H0 = Date.UTC(2026, 10, 1, 0) * 1000;

function hour(names: string[]) {
  const segments = names.map((n) => {
    const p = parseSegmentName(n, H0);
    assert.ok(p.ok, n);
    return { ...p.segment, size: 1000 };
  });
  return analyzeHour({ hour: '2026-11-01T00', start: H0, segments, bad: 0 });
}

describe("check's window", () => {
  it('ends at the newest segment, even a zero-length one after a gap', () => {
    const h = hour(['00:00.000000-2.000-full-AAAA.ts', '00:10.000000-0.000-full-BBBB.ts']);
    const c = checkQuality('c', 'q', [h], {}, { nowUs: H0 + 3_600_000_000 });
    assert.deepEqual(c.window, { start: H0, end: H0 + 10_000_000 });
    assert.deepEqual(c.holes, [{ start: H0 + 2_000_000, end: H0 + 10_000_000 }]);
  });
  it('ends at the covered reach when the newest segment is inside it', () => {
    const h = hour(['00:00.000000-4.000-full-AAAA.ts', '00:01.000000-0.000-partial-BBBB.ts']);
    const c = checkQuality('c', 'q', [h], {}, { nowUs: H0 + 3_600_000_000 });
    assert.deepEqual(c.window, { start: H0, end: H0 + 4_000_000 });
    assert.equal(c.holes.length, 0);
  });
});
