import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ensureDir, TEMP_NAME, tempNameFor } from '../../src/outputs/files/atomicWrite.js';
import { ownStartToken, processStartTicks } from '../../src/outputs/files/processStart.js';
import { removeStaleTemps } from '../../src/outputs/files/staleTemps.js';
import { BIN, WAIT_MS, parseProm, runCli, startDaemon, waitFor } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  assert.equal(r.status, 0, String(r.stderr));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  assert.equal(r.status, 0);
  return r.pid as number;
}

async function scrape(url: string): Promise<Map<string, number>> {
  return parseProm(await (await fetch(`${url}/metrics`)).text());
}

describe('output-folder hazards (issue 9.7)', () => {
  it('FIFOs named like a map, the page and the textfile block nothing: live updates go on, maps are served or 404, the FIFOs stay', async () => {
    const root = await makeTmpDir('fifo-out');
    const base = path.join(root, 'store');
    const out = path.join(root, 'out');
    mkdirSync(out);
    const fifos = ['chan_source_coverage.png', 'index.html', 'gauges.prom'].map((n) => path.join(out, n));
    fifos.forEach(mkfifo);
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    fillHour(base, 'chan', '480p', '2026-11-01T00', 0, 20);
    const d = await startDaemon([
      'chan',
      '--base-dir',
      base,
      '--qualities',
      'source,480p',
      '--output-dir',
      out,
      '--make-page',
      '--textfile',
      fifos[2],
      '--check-interval',
      '600',
    ]);
    try {
      // more requests for the FIFO map than the thread pool has threads (4)
      const codes = await Promise.all(
        Array.from(
          { length: 8 },
          async () => (await fetch(`${d.url}/maps/chan_source_coverage.png`, { signal: AbortSignal.timeout(WAIT_MS) })).status,
        ),
      );
      assert.deepEqual(codes, Array(8).fill(404));
      for (let to = 40; to <= 100; to += 20) {
        fillHour(base, 'chan', 'source', '2026-11-01T00', to - 20, to);
        await waitFor(`live coverage ${to}`, async () =>
          (await scrape(d.url)).get('raw_coverage{channel="chan",hour="2026-11-01T00",quality="source"}') === to ? true : undefined,
        ).catch((e: Error) => {
          throw new Error(`${e.message}\n${d.stderr()}`);
        });
      }
      const m = await waitFor('the refused writes to be counted', async () => {
        const now = await scrape(d.url);
        return ['map_write', 'page_write', 'textfile_write'].every((k) => (now.get(`segcov_errors_total{kind="${k}"}`) ?? 0) >= 1)
          ? now
          : undefined;
      });
      assert.ok(m.has('segcov_errors_total{kind="map_write"}'));
      await waitFor('the 480p map', async () => (existsSync(path.join(out, 'chan_480p_coverage.png')) ? true : undefined));
      assert.equal((await fetch(`${d.url}/maps/chan_480p_coverage.png`)).status, 200);
      assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
      for (const f of fifos) assert.ok(lstatSync(f).isFIFO(), `${f} is still a FIFO`);
    } finally {
      const { code } = await d.stop();
      assert.equal(code, 0, d.stderr());
      await rm(root, { recursive: true, force: true });
    }
  });

  it('creating a folder under /proc fails at once instead of spinning (mkdir -p in Node 20 loops forever there)', async () => {
    await assert.rejects(ensureDir('/proc/segcov-test-nonexistent/a/b'), { code: 'ENOENT' });
    const r = await runCli([
      'chan',
      '--base-dir',
      '/proc/segcov-test-nonexistent',
      '--output-dir',
      '/proc/self/segcov',
      '--run-once',
      '--metrics-port',
      '0',
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^segcov: --output-dir: \/proc\/self\/segcov is on procfs/);
  });

  it('start-up removes the temp files of dead writers from the output folder, and nothing else', async () => {
    const root = await makeTmpDir('stale');
    const base = path.join(root, 'store');
    const out = path.join(root, 'out');
    const tfDir = path.join(root, 'tf');
    mkdirSync(out);
    mkdirSync(tfDir);
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    const dead = deadPid();
    const started = processStartTicks(process.pid);
    const gone = [
      path.join(out, `.chan_source_coverage.png.${dead}.deadbeef.tmp`),
      path.join(out, `.index.html.${dead}.0123abcd.tmp`),
      path.join(tfDir, `.cov.prom.${dead}.00000000.tmp`),
      path.join(out, `.chan_source_coverage.png.${dead}-${started}.0badf00d.tmp`),
      path.join(out, `.index.html.${process.pid}-1.0badf00d.tmp`), // a live PID, but a later process's: its writer is dead
    ];
    const kept = [
      path.join(out, `.chan_source_coverage.png.${process.pid}.deadbeef.tmp`), // its writer is alive
      path.join(out, `.index.html.${process.pid}-${started}.0badf00d.tmp`), // alive, and the same process
      path.join(out, `.chan_source_coverage.png.1.deadbeef.tmp`), // pid 1 is alive
      path.join(out, `.x.png.${dead}.dead.tmp`), // not segcov's name
      path.join(out, 'notes.tmp'),
      path.join(tfDir, `.other.prom.${dead}.00000000.tmp`), // beside the textfile, but not its temp
      path.join(base, 'chan', 'source', '2026-11-01T00', `.x.ts.${dead}.deadbeef.tmp`), // in the store
    ];
    for (const f of [...gone, ...kept]) writeFileSync(f, 'partial');
    const fifo = path.join(out, `.y.png.${dead}.cafebabe.tmp`);
    mkfifo(fifo);
    try {
      const r = await runCli([
        'chan',
        '--base-dir',
        base,
        '--output-dir',
        out,
        '--textfile',
        path.join(tfDir, 'cov.prom'),
        '--run-once',
        '--metrics-port',
        '0',
      ]);
      assert.equal(r.code, 0, r.stderr);
      for (const f of gone) assert.ok(!existsSync(f), `${f} removed`);
      for (const f of kept) assert.ok(statSync(f).isFile(), `${f} kept`);
      assert.ok(lstatSync(fifo).isFIFO(), 'a FIFO is never removed');
      assert.match(r.stderr, /removed 5 temporary files left by a killed write/);
      assert.ok(existsSync(path.join(out, 'chan_source_coverage.png')));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("temp names carry the writer's start: ours are alive, our PID or thread ids with another start are dead writers'", async () => {
    const dir = await makeTmpDir('tempname');
    try {
      const mine = path.basename(tempNameFor(path.join(dir, 'chan_source_coverage.png')));
      const m = TEMP_NAME.exec(mine);
      assert.ok(m !== null, mine);
      assert.deepEqual([m[1], m[2], m[3]], ['chan_source_coverage.png', String(process.pid), ownStartToken()]);
      assert.equal(ownStartToken(), processStartTicks('self'), 'the token is the start time from /proc/self/stat');
      const thread = readdirSync('/proc/self/task')
        .map(Number)
        .find((t) => t !== process.pid);
      assert.ok(thread !== undefined, 'node runs threads besides the main one');
      const dead = [
        `.a.png.${process.pid}-1.00000001.tmp`,
        `.b.png.${process.pid}.00000002.tmp`,
        `.c.png.${thread}-${ownStartToken()}.00000003.tmp`,
        `.d.png.${thread}.00000004.tmp`,
      ];
      for (const n of [mine, ...dead]) writeFileSync(path.join(dir, n), 'partial');
      assert.deepEqual((await removeStaleTemps(dir)).sort(), dead.sort());
      assert.deepEqual(readdirSync(dir), [mine]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('in a container (a fresh PID namespace, segcov is PID 1), a temp left by the previous PID 1 is removed', async () => {
    const root = await makeTmpDir('pidns');
    const base = path.join(root, 'store');
    const out = path.join(root, 'out');
    mkdirSync(out);
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    const left = [`.chan_source_coverage.png.1-7.cafef00d.tmp`, `.index.html.1.cafef00d.tmp`];
    for (const n of left) writeFileSync(path.join(out, n), 'partial');
    try {
      const asRoot = process.getuid?.() === 0;
      const r = spawnSync(
        'unshare',
        [
          ...(asRoot ? [] : ['--user', '--map-root-user']),
          '--pid',
          '--fork',
          '--mount-proc',
          process.execPath,
          BIN,
          'chan',
          '--base-dir',
          base,
          '--output-dir',
          out,
          '--run-once',
          '--metrics-port',
          '0',
        ],
        { encoding: 'utf8', timeout: WAIT_MS },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /removed 2 temporary files left by a killed write/);
      assert.deepEqual(
        readdirSync(out).filter((n) => n.endsWith('.tmp')),
        [],
      );
      assert.ok(existsSync(path.join(out, 'chan_source_coverage.png')));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
