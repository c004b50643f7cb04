import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LatestWins } from '../../src/daemon/latestWins.js';
import { WAIT_MS, parseProm, startDaemon, waitFor } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Puts a file where folder `dir` is. The folder is moved away, not removed (a write under way
 * may still drop a file in it); the running daemon may re-create it before the file lands
 * (a pass every second writes there), so that race is retried until the file holds the name.
 */
async function replaceFolderWithFile(dir: string): Promise<void> {
  for (let i = 0; ; i++) {
    await rename(dir, `${dir}.old${i}`).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    try {
      await writeFile(dir, 'not a folder', { flag: 'wx' });
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'EEXIST' && code !== 'EISDIR') || i > 1000) throw e;
    }
  }
}

describe('failed writes are retried until they land (issue 9.5)', () => {
  it('map, textfile and page are written once the output folder is fixed, with no change in the store', async () => {
    const root = await makeTmpDir('retry');
    const base = path.join(root, 'store');
    const out = path.join(root, 'out');
    const tfDir = path.join(root, 'textfile');
    const textfile = path.join(tfDir, 'coverage.prom');
    const png = path.join(out, 'chan_source_coverage.png');
    const page = path.join(out, 'index.html');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 40);
    const d = await startDaemon([
      'chan',
      '--base-dir',
      base,
      '--output-dir',
      out,
      '--textfile',
      textfile,
      '--make-page',
      '--check-interval',
      '1',
      '--no-watch',
    ]);
    try {
      const first = await waitFor('the first map', async () => (existsSync(png) && existsSync(textfile) ? readFileSync(png) : undefined));
      // break both folders: a file where each folder was
      await replaceFolderWithFile(out);
      await replaceFolderWithFile(tfDir);
      fillHour(base, 'chan', 'source', '2026-11-01T00', 40, 100);
      await waitFor('map, textfile and page writes to fail', async () => {
        const m = parseProm(await (await fetch(`${d.url}/metrics`)).text());
        const failed = ['map_write', 'textfile_write', 'page_write'].every((k) => (m.get(`segcov_errors_total{kind="${k}"}`) ?? 0) >= 1);
        return failed && m.get('raw_coverage{channel="chan",hour="2026-11-01T00",quality="source"}') === 100 ? true : undefined;
      });
      // fix them; the store does not change any more, so only a retry can write
      await rm(out);
      await rm(tfDir);
      const now = await waitFor(
        'the new map, textfile and page',
        async () => {
          if (!existsSync(png) || !existsSync(textfile) || !existsSync(page)) return undefined;
          const text = readFileSync(textfile, 'utf8');
          return /^raw_coverage\{channel="chan",hour="2026-11-01T00",quality="source"\} 100$/m.test(text) ? readFileSync(png) : undefined;
        },
        2 * WAIT_MS,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${d.stderr()}`);
      });
      assert.notDeepEqual(now, first, 'the map shows the new segments');
      assert.ok(statSync(out).isDirectory());
      assert.match(d.stderr(), /cannot write coverage map/);
      assert.equal(d.proc.exitCode, null);
    } finally {
      const { code } = await d.stop();
      assert.equal(code, 0, d.stderr());
      await rm(root, { recursive: true, force: true });
    }
  });

  it('LatestWins retries a failed job with growing waits, and a newer job replaces it', async () => {
    let tries = 0;
    const errors: number[] = [];
    const w = new LatestWins((_e, n) => errors.push(n), 0, { firstMs: 1, maxMs: 8 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 9].map((n) => w.retryDelayMs(n)),
      [1, 2, 4, 8, 8, 8],
    );
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    w.run(async () => {
      tries++;
      if (tries < 4) throw new Error('disk full');
      resolveDone();
    });
    const keepAlive = setInterval(() => undefined, 1000); // retry timers are unref'd
    await done;
    clearInterval(keepAlive);
    await w.idle();
    assert.equal(tries, 4);
    assert.deepEqual(errors, [1, 2, 3]);
    assert.equal(w.retrying, false, 'no retry after success');
    w.close();

    // a failing job replaced by a newer one: the old one is never tried again
    const w2 = new LatestWins(() => undefined, 0, { firstMs: 60_000, maxMs: 60_000 });
    let old = 0;
    w2.run(async () => {
      old++;
      throw new Error('old');
    });
    await w2.idle();
    assert.equal(w2.retrying, true);
    let fresh = 0;
    w2.run(async () => {
      fresh++;
    });
    await w2.idle();
    assert.equal(w2.retrying, false);
    assert.equal(old, 1);
    assert.equal(fresh, 1);
    w2.close();
  });
});
