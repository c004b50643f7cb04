import assert from 'node:assert/strict';
import { readFile, rm, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { cleanEnv, parseProm, runCli } from '../helpers/cli.js';
import { fillHour, putSegment, offsetName } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * The built CLI end to end on a generated store whose figures are worked out by hand
 * below (not by the engine): three hours, known holes, a duplicate suspect.
 */
describe('segcov --run-once --textfile (end to end)', () => {
  let base: string;
  before(async () => {
    base = await makeTmpDir('e2e');
    // 00: full except 100-102 and 200-206 → 2 holes, 8 s; coverage 3592 s
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 3600, new Set([100, 200, 202, 204]));
    // 01: full, plus a losing suspect duplicate at 50 s
    fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 3600);
    putSegment(base, 'chan', 'source', '2026-11-01T01', `${offsetName(50)}-2.000-suspect-BBBB.ts`);
    // 02 (the newest): starts at 10 s, ends at 1000 s → start hole 10 s, no end hole
    fillHour(base, 'chan', 'source', '2026-11-01T02', 10, 1000);
    putSegment(base, 'chan', 'source', '2026-11-01T02', 'not-a-segment.ts');
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('writes the expected gauges and map', async () => {
    const textfile = path.join(base, 'out', 'coverage.prom');
    const r = await runCli(['chan', '--base-dir', base, '--run-once', '--textfile', textfile, '--metrics-port', '0']);
    assert.equal(r.code, 0, r.stderr);
    const m = parseProm(await readFile(textfile, 'utf8'));
    const g = (name: string, hour: string, type?: string): number | undefined =>
      m.get(`${name}{channel="chan",hour="2026-11-01T${hour}",quality="source"${type ? `,type="${type}"` : ''}}`);
    assert.equal(g('raw_holes', '00'), 2);
    assert.equal(g('raw_hole_duration', '00'), 8);
    assert.equal(g('raw_coverage', '00'), 3592);
    assert.equal(g('editable_coverage', '00'), 3592);
    assert.equal(g('segment_count', '00', 'full'), 1796);
    assert.equal(g('raw_holes', '01'), 0);
    assert.equal(g('raw_coverage', '01'), 3600);
    assert.equal(g('overlap_count', '01', 'suspect'), 1);
    assert.equal(g('overlap_duration', '01', 'suspect'), 2);
    assert.equal(g('segment_count', '01', 'suspect'), 1);
    assert.equal(g('raw_holes', '02'), 1);
    assert.equal(g('raw_hole_duration', '02'), 10);
    assert.equal(g('raw_coverage', '02'), 990);
    assert.equal(g('segment_count', '02', 'bad'), 1);
    const window = [...m.keys()].filter((k) => k.startsWith('segcov_'));
    assert.equal([...m.keys()].length - window.length, 3 * 19, 'exactly the 19 series of each of the 3 hours');
    // Plus the window gauges of the one channel/quality: here the per-hour holes are all the holes.
    assert.equal(window.length, 7);
    assert.equal(m.get('segcov_window_holes{channel="chan",quality="source"}'), 3);
    assert.equal(m.get('segcov_window_hole_seconds{channel="chan",quality="source"}'), 18);
    // the longest hole is 10 s, under --long-hole's 60 s: warn
    assert.equal(m.get('segcov_window_state{channel="chan",quality="source"}'), 1);

    const png = path.join(base, 'coverage-maps', 'chan_source_coverage.png');
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 18);
    assert.equal(info.height, 300);
    const at = (hour: number, second: number): string => {
      const p = hour * 1800 + Math.floor(second / 2);
      const x = Math.floor(p / 300);
      const y = p % 300;
      const o = (y * info.width + x) * info.channels;
      return [data[o], data[o + 1], data[o + 2]].map((v) => v.toString(16).padStart(2, '0')).join('');
    };
    assert.equal(at(0, 0), '1f77b4');
    assert.equal(at(0, 100), 'ffffff');
    assert.equal(at(0, 204), 'ffffff');
    assert.equal(at(0, 206), '1f77b4');
    assert.equal(at(1, 50), '1f77b4');
    assert.equal(at(2, 8), 'ffffff');
    assert.equal(at(2, 10), '1f77b4');
    assert.equal(at(2, 1000), 'ffffff', 'after the newest segment the map is white');
    const leftovers = (await import('node:fs')).readdirSync(path.dirname(png)).filter((f) => f.startsWith('.'));
    assert.deepEqual(leftovers, [], 'no temporary files left behind');
  });

  it('applies flags over SEGCOV_* env over the config file', async () => {
    fillHour(base, 'chan', '480p', '2026-11-01T00', 0, 10);
    const config = path.join(base, 'segcov.yaml');
    await writeFile(config, `channels: [chan]\nbase-dir: ${JSON.stringify(base)}\nqualities: 480p\nmetrics-port: 0\n`);
    const qualitiesIn = async (env: NodeJS.ProcessEnv, extra: string[] = []): Promise<string[]> => {
      const tf = path.join(base, 'out', `p${Math.random()}.prom`);
      const r = await runCli(['--config', config, '--run-once', '--textfile', tf, ...extra], { env: cleanEnv(env) });
      assert.equal(r.code, 0, r.stderr);
      const m = parseProm(await readFile(tf, 'utf8'));
      return [...new Set([...m.keys()].map((k) => /quality="([^"]+)"/.exec(k)?.[1] ?? ''))].sort();
    };
    assert.deepEqual(await qualitiesIn({}), ['480p']);
    assert.deepEqual(await qualitiesIn({ SEGCOV_QUALITIES: 'source' }), ['source']);
    assert.deepEqual(await qualitiesIn({ SEGCOV_QUALITIES: 'source' }, ['--qualities', '480p,source']), ['480p', 'source']);
  });

  it('--long-hole and --max-age come from a flag, SEGCOV_* or the config file, and set segcov_window_state', async () => {
    // chan/source's holes are 2 s, 6 s and 10 s (warn under the default 60 s)
    const config = path.join(base, 'severity.yaml');
    await writeFile(config, `channels: [chan]\nbase-dir: ${JSON.stringify(base)}\nmetrics-port: 0\nlong-hole: 5\n`);
    const stateIn = async (env: NodeJS.ProcessEnv, extra: string[] = [], file = config): Promise<number | undefined> => {
      const tf = path.join(base, 'out', `s${Math.random()}.prom`);
      const r = await runCli(['--config', file, '--run-once', '--textfile', tf, ...extra], { env: cleanEnv(env) });
      assert.equal(r.code, 0, r.stderr);
      return parseProm(await readFile(tf, 'utf8')).get('segcov_window_state{channel="chan",quality="source"}');
    };
    assert.equal(await stateIn({}), 2, 'config long-hole: 5: the 6 s and 10 s holes are long');
    assert.equal(await stateIn({ SEGCOV_LONG_HOLE: '20' }), 1, 'SEGCOV_LONG_HOLE over the config');
    assert.equal(
      await stateIn({ SEGCOV_LONG_HOLE: '20' }, ['--long-hole', '10']),
      2,
      'the flag over SEGCOV_LONG_HOLE; a hole of exactly --long-hole is long',
    );
    // the store's newest segment ended in 2026-11 (long before now): with --max-age the recording stopped
    assert.equal(await stateIn({ SEGCOV_LONG_HOLE: '20', SEGCOV_MAX_AGE: '60' }), 2);
  });

  it('exits 2 with one line naming the flag for unusable values', async () => {
    const cases: [string[], RegExp][] = [
      [['chan', '--bogus'], /bogus/],
      [['chan', '--pixel-length', '7'], /--pixel-length/],
      [['chan', '--rows', '7'], /--rows/],
      [['chan', '--metrics-port', 'abc'], /--metrics-port/],
      [['chan', '--metrics-port', '70000'], /--metrics-port/],
      [['chan', '--first-hour', 'yesterday'], /--first-hour/],
      [['chan', '--first-hour', '2026-11-02', '--last-hour', '2026-11-01'], /--last-hour/],
      [['chan', '--check-interval', '0'], /--check-interval/],
      [['chan', '--log-level', 'loud'], /--log-level/],
      [['chan', '--config', '/nonexistent/segcov.yaml'], /--config/],
      [['--run-once'], /CHANNEL/],
      [['chan', '--qualities', '../x'], /--qualities/],
      [['chan', '--long-hole', '0'], /--long-hole/],
      [['chan', '--long-hole', 'long'], /--long-hole/],
      [['chan', '--max-age', '-60'], /--max-age/],
    ];
    for (const [args, want] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: one line, got:\n${r.stderr}`);
      assert.match(lines[0], want, args.join(' '));
      assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
    }
  });

  it('writes no map when there is no hour to show', async () => {
    const empty = await makeTmpDir('empty');
    try {
      const r = await runCli(['chan', '--base-dir', empty, '--run-once', '--metrics-port', '0']);
      assert.equal(r.code, 0, r.stderr);
      await assert.rejects(access(path.join(empty, 'coverage-maps', 'chan_source_coverage.png')));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
