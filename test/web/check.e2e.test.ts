import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkExitCode, checkQuality, formatCheckText } from '../../src/cli/checkReport.js';
import { hoursToRead, runCheck } from '../../src/cli/checkPass.js';
import { resolveCheckOptions } from '../../src/cli/commands/check.js';
import { HOUR_US, SECOND_US } from '../../src/coverage/types.js';
import { ProgressBar } from '../../src/terminal/progressBar.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { buildStore, hourUs, ODD_CHANNEL, SAMPLE_SPEC } from './helpers/webFixture.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(here, '../../src/cli/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (this build's main.js) with pipes for stdout and stderr. */
function cli(launcher: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const T = (s: string): number => Date.parse(s) * 1000;

describe('segcov check', () => {
  let base: string;
  let launcher: string;

  before(async () => {
    base = await makeTmpDir('check');
    await buildStore(path.join(base, 'store'), SAMPLE_SPEC);
    launcher = path.join(base, 'segcov.mjs');
    await writeFile(launcher, `import(${JSON.stringify(MAIN)}).then((m) => m.runFromProcess());\n`);
  });
  after(async () => {
    if (base !== undefined) await rm(base, { recursive: true, force: true });
  });

  const store = (): string => path.join(base, 'store');

  it('finds every hole, a whole missing hour included, and none at the live edge', async () => {
    const opts = await resolveCheckOptions({ channels: ['desertbus', ODD_CHANNEL], 'base-dir': store(), qualities: 'source,480p' });
    const results = await runCheck(opts, T('2026-11-01T08:00:00Z'));
    const holes = results.map((r) => [r.channel, r.quality, r.holes.map((x) => [x.start, x.end])]);
    assert.deepEqual(holes, [
      [
        'desertbus',
        'source',
        [
          [T('2026-11-01T06:10:00Z'), T('2026-11-01T06:10:30Z')],
          [T('2026-11-01T07:20:00Z'), T('2026-11-01T07:25:00Z')],
        ],
      ],
      ['desertbus', '480p', []],
      // The per-hour gauges have no raw hole for the missing hour 06 here (hour 07 starts at :00:20); check does.
      [ODD_CHANNEL, 'source', [[T('2026-11-01T06:00:00Z'), T('2026-11-01T07:00:20Z')]]],
      [ODD_CHANNEL, '480p', []],
    ]);
    assert.deepEqual(
      results.map((r) => (r.window === null ? null : [r.window.start, r.window.end])),
      [
        [T('2026-11-01T05:00:00Z'), T('2026-11-01T07:50:00Z')],
        [T('2026-11-01T06:00:00Z'), T('2026-11-01T07:50:00Z')],
        [T('2026-11-01T05:00:00Z'), T('2026-11-01T07:30:00Z')],
        null,
      ],
    );
    assert.equal(results[0].coveragePct, (1 - 330 / 10200) * 100);
    assert.equal(results[1].coveragePct, 100);
    assert.deepEqual(results[3].problems, { missing_base: 1 });
    assert.equal(checkExitCode(results), 1);
    assert.equal(checkExitCode([results[1]]), 0);
  });

  it('--since/--until cut holes to the window; the gaps before and after the recording count', async () => {
    const opts = await resolveCheckOptions({
      channels: ['desertbus'],
      'base-dir': store(),
      qualities: '480p',
      since: '2026-11-01T05:30:00Z',
      until: '2026-11-01T08:00:00Z',
    });
    assert.deepEqual(hoursToRead(opts.window), { firstHour: hourUs('2026-11-01T05'), lastHour: hourUs('2026-11-01T07') });
    const [r] = await runCheck(opts, T('2026-11-01T09:00:00Z'));
    assert.deepEqual(
      r.holes.map((x) => [x.start, x.end]),
      [
        [T('2026-11-01T05:30:00Z'), T('2026-11-01T06:00:00Z')],
        [T('2026-11-01T07:50:00Z'), T('2026-11-01T08:00:00Z')],
      ],
    );
    const inside = await runCheck(
      await resolveCheckOptions({
        channels: ['desertbus'],
        'base-dir': store(),
        qualities: 'source',
        since: '2026-11-01T06:10:20Z',
        until: '2026-11-01T07:21:00Z',
      }),
      T('2026-11-01T09:00:00Z'),
    );
    assert.deepEqual(
      inside[0].holes.map((x) => [x.start, x.end]),
      [
        [T('2026-11-01T06:10:20Z'), T('2026-11-01T06:10:30Z')],
        [T('2026-11-01T07:20:00Z'), T('2026-11-01T07:21:00Z')],
      ],
    );
  });

  it('nothing recorded since --since is one hole up to now; --max-age flags a stopped recorder', async () => {
    const opts = await resolveCheckOptions({
      channels: ['desertbus'],
      'base-dir': store(),
      qualities: '480p',
      since: '2026-11-01T07:55:00Z',
    });
    const now = T('2026-11-01T08:10:00Z');
    const [r] = await runCheck(opts, now);
    assert.deepEqual(
      r.holes.map((x) => [x.start, x.end]),
      [[T('2026-11-01T07:55:00Z'), now]],
    );
    // the window holds none of the recording, and says what was recorded (issue 25)
    assert.deepEqual(
      [r.state, r.cause.kind, r.recorded],
      ['bad', 'window_misses_recording', { start: T('2026-11-01T06:00:00Z'), end: T('2026-11-01T07:50:00Z') }],
    );
    assert.match(
      formatCheckText([r], now),
      /BAD – window holds none of the recording\n.*\n {2}recorded +2026-11-01 06:00:00 – 2026-11-01 07:50:00 UTC, outside the window/,
    );
    const hours = await runCheck(await resolveCheckOptions({ channels: ['desertbus'], 'base-dir': store(), qualities: '480p' }), now);
    assert.equal(hours[0].stale, false);
    assert.equal(checkExitCode(hours), 0);
    const stale = await runCheck(
      { ...(await resolveCheckOptions({ channels: ['desertbus'], 'base-dir': store(), qualities: '480p' })), maxAgeUs: 60 * SECOND_US },
      now,
    );
    assert.equal(stale[0].stale, true);
    assert.deepEqual([stale[0].state, stale[0].cause], ['bad', { kind: 'stopped', ageUs: 20 * 60 * SECOND_US }]);
    assert.equal(checkExitCode(stale), 1);
  });

  it('an empty hour result list has no window and fails', () => {
    const r = checkQuality('c', 'q', [], {}, { nowUs: HOUR_US });
    assert.equal(r.window, null);
    assert.equal(checkExitCode([r]), 1);
    assert.equal(r.state, 'bad');
    assert.match(formatCheckText([r], HOUR_US), /c \/ q: BAD – nothing recorded\n {2}window +none: no segment found/);
  });

  it('CLI: exit 0 and an OK table when the window has no hole', async () => {
    const r = await cli(launcher, ['check', 'desertbus', '--base-dir', store(), '--qualities', '480p']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^desertbus \/ 480p: OK$/m);
    assert.match(r.stdout, /coverage +100 %/);
    assert.match(r.stdout, /^OK: no hole in 1 channel\/quality pair\(s\)\.$/m);
    assert.equal(r.stderr, '', 'nothing on stderr when it is not a terminal (no progress bar)');
  });

  it('CLI: exit 1 and the holes with their UTC times when there are holes', async () => {
    const r = await cli(launcher, ['check', 'desertbus', ODD_CHANNEL, '--base-dir', store()]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^desertbus \/ source: BAD – long hole of 5 min 00 s$/m);
    // the longest first
    assert.match(r.stdout, /^ {4}1 +2026-11-01 07:20:00 +2026-11-01 07:25:00 +5 min 00 s$/m);
    assert.match(r.stdout, /^ {4}2 +2026-11-01 06:10:00 +2026-11-01 06:10:30 +30 s$/m);
    assert.match(r.stdout, /holes +2, total 5 min 30 s/);
    assert.ok(r.stdout.includes(`${ODD_CHANNEL} / source: BAD – 1 missing hour`));
    assert.match(r.stdout, /^FAIL: 2 of 2 channel\/quality pair\(s\) bad\.$/m);
    assert.ok(!r.stdout.includes('not listed'), 'two holes: all listed');
    // Above the tables, piped: one plain character per hour (05 whole, 06 and 07 with holes; 06 of the odd channel missing).
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `desertbus/source${' '.repeat(ODD_CHANNEL.length + 7 - 16)}  2026-11-01T05 |#++| 2026-11-01T07`);
    assert.equal(lines[1], `${ODD_CHANNEL}/source  2026-11-01T05 |#.+| 2026-11-01T07`);
    assert.equal(lines[2], 'one character per UTC hour: # whole  + partly missing  . missing  (blank) not yet');
    assert.ok(!r.stdout.includes('\u001b['), 'no colour codes when piped');
  });

  it('CLI: --json is the same verdict, machine-readable; a short hole warns and exits 0, --strict fails it', async () => {
    const args = [
      'check',
      'desertbus',
      '--base-dir',
      store(),
      '--qualities',
      'source,480p',
      '--json',
      '--since',
      '2026-11-01T06:00:00Z',
      '--until',
      '2026-11-01T07:00:00Z',
    ];
    const r = await cli(launcher, args);
    assert.equal(r.code, 0, r.stderr);
    type Body = {
      ok: boolean;
      strict: boolean;
      long_hole: number;
      since: string;
      qualities: {
        quality: string;
        ok: boolean;
        state: string;
        reason: string;
        holes: { start: string; end: string; duration: number }[];
      }[];
    };
    const body = JSON.parse(r.stdout) as Body;
    assert.deepEqual([body.ok, body.strict, body.long_hole], [true, false, 60]);
    assert.equal(body.since, '2026-11-01T06:00:00.000000Z');
    assert.deepEqual(
      body.qualities.map((q) => [q.quality, q.ok, q.state, q.reason, q.holes]),
      [
        [
          'source',
          true,
          'warn',
          '1 short hole of 30 s',
          [{ start: '2026-11-01T06:10:00.000000Z', end: '2026-11-01T06:10:30.000000Z', duration: 30 }],
        ],
        ['480p', true, 'ok', 'no hole', []],
      ],
    );
    const strict = await cli(launcher, [...args, '--strict']);
    assert.equal(strict.code, 1, strict.stderr);
    const sb = JSON.parse(strict.stdout) as Body;
    assert.deepEqual(
      [sb.ok, sb.strict, sb.qualities.map((q) => [q.state, q.ok])],
      [
        false,
        true,
        [
          ['warn', false],
          ['ok', true],
        ],
      ],
    );
    // --long-hole 30: the 30 s hole is long now (at least --long-hole), so bad and exit 1
    const long = await cli(launcher, [...args, '--long-hole', '30']);
    assert.equal(long.code, 1, long.stderr);
    assert.deepEqual(
      (JSON.parse(long.stdout) as Body).qualities.map((q) => [q.state, q.reason]),
      [
        ['bad', 'long hole of 30 s'],
        ['ok', 'no hole'],
      ],
    );
  });

  it('CLI: usage errors exit 2 with one line naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['check', 'desertbus', '--base-dir', store(), '--since', 'yesterday'], /--since/],
      [['check', 'desertbus', '--base-dir', store(), '--since', '2026-11-01T07', '--until', '2026-11-01T06'], /--until/],
      [['check', 'desertbus', '--base-dir', path.join(base, 'nope')], /--base-dir/],
      [['check', '--base-dir', store()], /argument|CHANNEL/],
      [['check', '../x', '--base-dir', store()], /CHANNEL/],
      [['check', 'desertbus', '--base-dir', store(), '--qualities', ','], /--qualities/],
      [['check', 'desertbus', '--base-dir', store(), '--max-age', '-5'], /--max-age/],
      [['check', 'desertbus', '--base-dir', store(), '--long-hole', '0'], /--long-hole/],
      [['check', 'desertbus', '--base-dir', store(), '--long-hole', 'soon'], /--long-hole/],
      [['check', 'desertbus', '--base-dir', store(), '--bogus'], /bogus/],
    ];
    for (const [args, want] of cases) {
      const r = await cli(launcher, args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });

  it('progress: the pass reports every hour; the bar draws only on a terminal', async () => {
    const opts = await resolveCheckOptions({ channels: ['desertbus', ODD_CHANNEL], 'base-dir': store(), qualities: 'source,480p' });
    const seen: [number, number][] = [];
    await runCheck(opts, T('2026-11-01T08:00:00Z'), (d, t) => seen.push([d, t]));
    assert.deepEqual(seen[0], [0, 7]);
    assert.deepEqual(seen[seen.length - 1], [7, 7]);
    const written: string[] = [];
    let t = 0;
    const fake = (isTTY: boolean): NodeJS.WriteStream =>
      ({
        isTTY,
        write: (s: string) => {
          written.push(s);
          return true;
        },
      }) as unknown as NodeJS.WriteStream;
    const bar = new ProgressBar({ total: 7, label: 'check', stream: fake(true), delayMs: 1000, now: () => t });
    bar.update(1);
    assert.deepEqual(written, [], 'nothing in the first second');
    t = 1500;
    bar.update(3, 'hours');
    assert.match(written.join(''), /check \[#+-+\] 3\/7 43%/);
    const piped = new ProgressBar({ total: 7, label: 'check', stream: fake(false), delayMs: 0, now: () => t });
    written.length = 0;
    t = 5000;
    piped.update(5);
    assert.deepEqual(written, []);
  });

  it('CLI in a pseudo-terminal: the bar is drawn once the delay has passed, then cleared', async () => {
    const script = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' });
    assert.equal(script.status, 0, 'needs `script` (util-linux/bsdutils) to give the CLI a terminal');
    const slow = path.join(base, 'slow');
    for (let i = 0; i < 40; i++) {
      const d = path.join(slow, 'ch', 'source', new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString().slice(0, 13));
      await mkdir(d, { recursive: true });
      await writeFile(path.join(d, '00:00.000000-3600-full-AAAA.ts'), '');
    }
    // The delay is a knob (0 here), so the test does not need the pass to be slow.
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(launcher)} check ch --base-dir ${JSON.stringify(slow)} --concurrency 1 --progress-delay-ms 0`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /check \[#*-*\] \d+\/40 \d+%/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's erase-line escape is what is checked
    assert.match(r.stdout, /\r\u001b\[K/, 'the bar line is cleared');
    assert.match(r.stdout, /OK: no hole in 1 channel\/quality pair/);
    // With the default delay of a second, a pass that ends first draws no bar at all; the
    // delay itself is covered with a fake clock in the ProgressBar unit test above.
    // The same pass piped: no bar at all.
    const piped = await cli(launcher, ['check', 'ch', '--base-dir', slow, '--concurrency', '1', '--progress-delay-ms', '0']);
    assert.equal(piped.stderr, '');
    assert.ok(!piped.stdout.includes('\r'));
  });
});
