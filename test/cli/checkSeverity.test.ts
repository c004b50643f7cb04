import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkExitCode, checkQuality, formatCheckText, HOLES_LISTED } from '../../src/cli/checkReport.js';
import { runCheck } from '../../src/cli/checkPass.js';
import { resolveCheckOptions } from '../../src/cli/commands/check.js';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { analyzeHour } from '../../src/coverage/hourAnalysis.js';
import type { Segment } from '../../src/coverage/types.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { passAll } from '../../src/daemon/passes.js';
import { silentLogger } from '../../src/log.js';
import { hoursReaching, namesReach } from '../../src/scan/reachingHours.js';
import { listHourFolders } from '../../src/store/listHours.js';
import { holesJson } from '../../src/web/coverageApi.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const S = 1_000_000;
const T = (s: string): number => Date.parse(s) * 1000;
const H0 = T('2026-11-01T10:00:00Z');

/** One hour of full segments [fromS, toS) seconds in, cut into `len` s segments, with gaps at `gaps` (start s, length s). */
function hourWithGaps(gaps: [number, number][]) {
  const segments: Segment[] = [];
  let t = 0;
  for (const [at, len] of [...gaps, [3600, 0] as [number, number]]) {
    for (; t + 2 <= at; t += 2) segments.push({ name: `${t}.ts`, start: H0 + t * S, duration: 2 * S, type: 'full', hash: 'AAAA' });
    t = at + len;
  }
  return analyzeHour({ hour: '2026-11-01T10', start: H0, segments, bad: 0 });
}

describe('segcov check: severity, the worst holes first (issue 25)', () => {
  let base: string;
  before(async () => {
    base = await makeTmpDir('check-severity');
  });
  after(async () => {
    if (base !== undefined) await rm(base, { recursive: true, force: true });
  });

  it('lists the ten longest holes first and says how many shorter ones it left out; --all lists every one', () => {
    // 15 holes of 4, 8, …, 60 s: the 60 s one is long (bad)
    const gaps: [number, number][] = Array.from({ length: 15 }, (_, i) => [100 + i * 200, 4 * (i + 1)]);
    const c = checkQuality('c', 'q', [hourWithGaps(gaps)], {}, { nowUs: H0 + 7200 * S });
    assert.equal(c.holes.length, 15);
    assert.deepEqual([c.state, c.cause], ['bad', { kind: 'long_holes', count: 1, longestUs: 60 * S }]);
    const text = formatCheckText([c], H0 + 7200 * S);
    const rows = text.split('\n').filter((l) => /^ {4}\d+ /.test(l));
    assert.equal(rows.length, HOLES_LISTED);
    assert.deepEqual(
      rows.map((l) => l.trim().split(/\s{3,}/)[3]),
      ['1 min 00 s', '56 s', '52 s', '48 s', '44 s', '40 s', '36 s', '32 s', '28 s', '24 s'],
    );
    assert.match(text, /^ {4}… and 5 shorter hole\(s\) not listed \(--all lists every hole\)$/m);
    assert.match(text, /^c \/ q: BAD – long hole of 1 min 00 s$/m);
    const all = formatCheckText([c], H0 + 7200 * S, { all: true });
    assert.equal(all.split('\n').filter((l) => /^ {4}\d+ /.test(l)).length, 15);
    assert.ok(!all.includes('not listed'));
  });

  it('exits 1 only for a bad pair; --strict fails any hole, as before', () => {
    const now = H0 + 7200 * S;
    const ok = checkQuality('c', 'ok', [hourWithGaps([])], {}, { nowUs: now });
    const warn = checkQuality('c', 'warn', [hourWithGaps([[100, 30]])], {}, { nowUs: now });
    const bad = checkQuality('c', 'bad', [hourWithGaps([[100, 90]])], {}, { nowUs: now });
    assert.deepEqual([ok.state, warn.state, bad.state], ['ok', 'warn', 'bad']);
    assert.equal(checkExitCode([ok, warn]), 0);
    assert.equal(checkExitCode([ok, warn, bad]), 1);
    assert.equal(checkExitCode([ok], true), 0);
    assert.equal(checkExitCode([ok, warn], true), 1);
    assert.match(
      formatCheckText([ok, warn], now),
      /^OK: no pair is bad; 1 of 2 channel\/quality pair\(s\) have short holes only \(under --long-hole 1 min 00 s\)\.$/m,
    );
    assert.match(
      formatCheckText([ok, warn], now, { strict: true }),
      /^FAIL \(--strict\): 1 of 2 channel\/quality pair\(s\) have holes or no recording\.$/m,
    );
    assert.match(formatCheckText([ok, warn, bad], now), /^FAIL: 1 of 3 channel\/quality pair\(s\) bad, 1 with short holes only\.$/m);
    // --long-hole moves the line
    assert.equal(checkQuality('c', 'q', [hourWithGaps([[100, 30]])], {}, { nowUs: now, longHoleUs: 30 * S }).state, 'bad');
  });

  it('--since reads the earlier hours whose segments run into the window: check and the API agree', async () => {
    // the reproduction: a segment from 10:59:00 for 7300 s (to 13:00:40), then one at 13:00:00
    const store = path.join(base, 'since');
    putSegment(store, 'c', 'q', '2026-11-01T10', '59:00-7300-full-AAAA.ts');
    putSegment(store, 'c', 'q', '2026-11-01T13', '00:00-2-full-AAAA.ts');
    // an earlier hour whose segment ends before the window: not read in full
    putSegment(store, 'c', 'q', '2026-11-01T09', '00:00-2-full-AAAA.ts');
    const now = T('2026-11-01T14:00:00Z');
    const [c] = await runCheck(
      await resolveCheckOptions({ channels: ['c'], qualities: 'q', 'base-dir': store, since: '2026-11-01T12:00:00Z' }),
      now,
    );
    assert.deepEqual(c.window, { start: T('2026-11-01T12:00:00Z'), end: T('2026-11-01T13:00:40Z') });
    assert.deepEqual(c.holes, [], 'the segment from 10:59 covers 12:00-13:00');
    assert.equal(c.state, 'ok');
    assert.equal(c.segments, 2, 'hours 10 and 13 read; 09 not');

    // by names alone: start + duration past `since`; temp and hidden names never reach
    const h10 = T('2026-11-01T10:00:00Z');
    const at12 = T('2026-11-01T12:00:00Z');
    assert.equal(namesReach(['59:00-7300-full-AAAA.ts'], h10, at12), true);
    assert.equal(namesReach(['59:00.5-3659.5-suspect-AAAA.ts'], h10, at12), false, 'ends exactly at 12:00');
    assert.equal(namesReach(['59:00.5-3659.500001-partial-AAAA.ts'], h10, at12), true);
    assert.equal(
      namesReach(['59:00-7300-temp-x.ts', '.59:00-7300-full-AAAA.ts', '59:00-7300-full-AAAA.tombstone', 'bad.ts'], h10, at12),
      false,
    );
    const folders = await listHourFolders(path.join(store, 'c', 'q'), {}, () => {});
    const reaching = await hoursReaching(store, 'c', 'q', folders, T('2026-11-01T12:00:00Z'), 2);
    assert.deepEqual(
      reaching.map((h) => h.name),
      ['2026-11-01T10', '2026-11-01T13'],
    );

    const config = resolveDaemonConfig({
      channels: ['c'],
      'base-dir': store,
      qualities: 'q',
      'first-hour': '2026-11-01T12',
      'metrics-port': 0,
      'log-level': 'silent',
      'output-dir': path.join(base, 'since-maps'),
      'pixel-length': 2,
      rows: 300,
      'check-interval': 300,
      concurrency: 2,
    });
    const parts = createDaemon(config, silentLogger);
    await passAll(parts);
    const api = holesJson([['c', 'q']], (ch, q) => parts.state.get(ch, q), {}, now) as { holes: { state: string; raw_holes: unknown[] }[] };
    assert.deepEqual([api.holes[0].state, api.holes[0].raw_holes], ['ok', []]);
  });

  it("CLI: wubloader's placeholder window holds none of the recording and says what was recorded", async () => {
    const store = path.join(base, 'placeholder');
    for (const h of ['10', '11', '12', '13']) putSegment(store, 'c', 'q', `2026-11-01T${h}`, '00:00-3600-full-AAAA.ts');
    const r = await runCli(
      [
        'check',
        'c',
        '--qualities',
        'q',
        '--base-dir',
        store,
        '--json',
        '--since',
        '1969-12-31T00:00:00Z',
        '--until',
        '1970-01-07T01:00:00Z',
      ],
      { env: cleanEnv() },
    );
    assert.equal(r.code, 1, r.stderr);
    const q = (JSON.parse(r.stdout) as { qualities: Record<string, unknown>[] }).qualities[0];
    assert.deepEqual(
      [q.state, q.reason, q.window_misses_recording, q.recorded, q.missing_hours],
      [
        'bad',
        'window holds none of the recording',
        true,
        { start: '2026-11-01T10:00:00.000000Z', end: '2026-11-01T14:00:00.000000Z' },
        169,
      ],
    );
    const text = await runCli(
      ['check', 'c', '--qualities', 'q', '--base-dir', store, '--since', '1969-12-31T00:00:00Z', '--until', '1970-01-07T01:00:00Z'],
      { env: cleanEnv() },
    );
    assert.match(text.stdout, /^c \/ q: BAD – window holds none of the recording$/m);
    assert.match(text.stdout, /^ {2}recorded +2026-11-01 10:00:00 – 2026-11-01 14:00:00 UTC, outside the window$/m);
  });
});
