import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHourName, formatHourName } from '../../src/store/hourName.js';
import { formatSegmentName, parseDurationMicros, parseOffsetMicros, parseSegmentName } from '../../src/store/segmentName.js';

const H = parseHourName('2026-11-01T07') as number;

function reason(name: string): string {
  const p = parseSegmentName(name, H);
  assert.equal(p.ok, false, `${name} should be bad`);
  return p.ok ? '' : p.reason;
}

describe('segment names', () => {
  it('parses a full name into absolute microseconds', () => {
    const p = parseSegmentName('12:34.5-2.002-full-AbC_-9.ts', H);
    assert.ok(p.ok);
    assert.equal(p.segment.start, H + (12 * 60 + 34) * 1e6 + 500_000);
    assert.equal(p.segment.duration, 2_002_000);
    assert.equal(p.segment.type, 'full');
    assert.equal(p.segment.hash, 'AbC_-9');
  });

  it('pads fractions of 1 to 6 digits on the right', () => {
    assert.equal(parseOffsetMicros('00:01.1'), 1_100_000);
    assert.equal(parseOffsetMicros('00:01.000001'), 1_000_001);
    assert.equal(parseOffsetMicros('59:59.999999'), 3_599_999_999);
    assert.equal(parseOffsetMicros('00:01'), 1_000_000);
  });

  it('converts durations exactly, rounding half up at the 7th digit', () => {
    assert.equal(parseDurationMicros('2'), 2_000_000);
    assert.equal(parseDurationMicros('2.0'), 2_000_000);
    assert.equal(parseDurationMicros('1.9999995'), 2_000_000);
    assert.equal(parseDurationMicros('1.9999994999'), 1_999_999);
    assert.equal(parseDurationMicros('2.0000004'), 2_000_000);
    assert.equal(parseDurationMicros('0.0000005'), 1);
    assert.equal(parseDurationMicros('007.25'), 7_250_000);
    for (const bad of ['', '.5', '2.', '-1', '1e3', '2,0', ' 2', '0x10', '1234567890']) {
      assert.equal(parseDurationMicros(bad), null, bad);
    }
  });

  it('rejects each malformed time', () => {
    for (const t of ['0:02', '00:2', '60:00', '00:60', '61:00', '00:02.', '00:02.1234567', 'aa:bb', '00-02']) {
      assert.match(reason(`${t}-2.0-full-AAAA.ts`), /time|expected/, t);
    }
  });

  it('rejects a missing part, a bad duration or an unknown type', () => {
    assert.match(reason('00:02.000000-2.000-full.ts'), /expected/);
    assert.match(reason('garbage.ts'), /expected/);
    assert.match(reason('00:02.000000--2.000-full-AAAA.ts'), /duration/);
    assert.match(reason('00:02.000000-x-full-AAAA.ts'), /duration/);
    assert.match(reason('00:02.000000-2.0-weird-AAAA.ts'), /type/);
    assert.match(reason('00:02.000000-2.0-FULL-AAAA.ts'), /type/);
  });

  it('checks hashes: non-empty URL-safe base64, length mod 4 not 1', () => {
    assert.match(reason('00:02-2-full-.ts'), /hash/);
    assert.match(reason('00:02-2-full-A.ts'), /hash/);
    assert.match(reason('00:02-2-full-AAAAA.ts'), /hash/);
    assert.match(reason('00:02-2-suspect-AA+A.ts'), /hash/);
    assert.match(reason('00:02-2-partial-AA=A.ts'), /hash/);
    assert.ok(parseSegmentName('00:02-2-full-AA.ts', H).ok);
    assert.ok(parseSegmentName('00:02-2-full-AAA.ts', H).ok);
    assert.ok(parseSegmentName('00:02-2-full-A-B-C-D.ts', H).ok, 'dashes belong to the hash');
  });

  it('lets temp segments carry any hash text, but still needs the third dash', () => {
    const p = parseSegmentName('00:02-2-temp-not base64!.ts', H);
    assert.ok(p.ok);
    assert.equal(p.segment.type, 'temp');
    assert.ok(parseSegmentName('00:02-2-temp-.ts', H).ok);
    assert.match(reason('00:02-2-temp.ts'), /expected/);
  });

  it('formats names that parse back to the same times', () => {
    const name = formatSegmentName(61_000_042, 2_002_000, 'full', 'AAAA');
    assert.equal(name, '01:01.000042-2.002000-full-AAAA.ts');
    const p = parseSegmentName(name, H);
    assert.ok(p.ok);
    assert.equal(p.segment.start - H, 61_000_042);
    assert.equal(p.segment.duration, 2_002_000);
  });
});

describe('hour names', () => {
  it('accepts real UTC hours only', () => {
    assert.equal(parseHourName('2026-11-01T07'), Date.UTC(2026, 10, 1, 7) * 1000);
    for (const bad of [
      '2026-11-01',
      '2026-11-01T24',
      '2026-02-30T00',
      '2026-13-01T00',
      '2026-11-01T7',
      '.2026-11-01T03',
      '2026-11-01T03 ',
      'coverage-maps',
    ]) {
      assert.equal(parseHourName(bad), null, bad);
    }
    assert.equal(formatHourName(Date.UTC(2026, 10, 1, 7, 59) * 1000), '2026-11-01T07');
  });
});
