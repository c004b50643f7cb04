import assert from 'node:assert/strict';
import { chmod, rm, utimes, writeFile, rename, mkdir, symlink, truncate } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { coldPass } from '../../src/scan/coldPass.js';
import { HourCache } from '../../src/scan/hourCache.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

describe('per-hour cache of periodic passes', () => {
  it('reuses settled unchanged folders and re-reads changed, replaced or fresh ones', async () => {
    const base = await makeTmpDir('cache');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
      fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 10);
      const q = path.join(base, 'chan', 'source');
      const past = new Date(Date.now() - 60_000);
      for (const h of ['2026-11-01T00', '2026-11-01T01']) await utimes(path.join(q, h), past, past);
      const cache = new HourCache();
      const pass = () =>
        coldPass({
          base,
          channel: 'chan',
          quality: 'source',
          window: {},
          concurrency: 2,
          cache,
          report: () => {},
        }).then((r) => {
          assert.ok(r !== null);
          return r;
        });
      const first = await pass();
      assert.equal(first.hours[0].rawCoverage, 10_000_000);

      // a change that would go unseen if the cache were used blindly: sizes are not in the
      // folder's mtime, but names are — add a segment and the hour is read again
      await writeFile(path.join(q, '2026-11-01T00', '00:10.000000-2.000-full-AAAA.ts'), '');
      const second = await pass();
      assert.equal(second.hours[0].rawCoverage, 12_000_000, 'changed folder re-read');
      assert.equal(second.hours[1], first.hours[1], 'unchanged settled folder reused (same object)');
      assert.notEqual(second.hours[0], first.hours[0]);

      // the changed folder is fresh (mtime within a second of the read): not trusted yet
      const third = await pass();
      assert.notEqual(third.hours[0], second.hours[0], 'fresh folder read again');

      // a folder replaced under the same name is a new inode
      await rename(path.join(q, '2026-11-01T01'), path.join(base, 'old'));
      await mkdir(path.join(q, '2026-11-01T01'));
      await utimes(path.join(q, '2026-11-01T01'), past, past);
      const fourth = await pass();
      assert.equal(fourth.hours[1].rawCoverage, 0, 'replaced folder read again');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('re-reads a settled folder when a size-deciding file grew or shrank in place (no rename, same folder mtime)', async () => {
    const base = await makeTmpDir('cache-size');
    try {
      // two partials at one start: the bigger file is the best, its duration counts
      putSegment(base, 'chan', 'source', '2026-11-01T00', '00:00.000000-1.000-partial-AAAA.ts', 10);
      const b = putSegment(base, 'chan', 'source', '2026-11-01T00', '00:00.000000-2.000-partial-BBBB.ts', 5);
      const dir = path.join(base, 'chan', 'source', '2026-11-01T00');
      const past = new Date(Date.now() - 60_000);
      await utimes(dir, past, past);
      const cache = new HourCache();
      const pass = () =>
        coldPass({ base, channel: 'chan', quality: 'source', window: {}, concurrency: 2, cache, report: () => {} }).then((r) => {
          assert.ok(r !== null);
          return r;
        });
      assert.equal((await pass()).hours[0].rawCoverage, 1_000_000, 'the 10-byte 1 s partial wins');
      const cached = await pass();
      assert.equal((await pass()).hours[0], cached.hours[0], 'settled unchanged folder is a cache hit');
      await truncate(b, 20);
      await utimes(dir, past, past); // the folder looks exactly as before
      assert.equal((await pass()).hours[0].rawCoverage, 2_000_000, 'the grown 2 s partial wins now');
      await truncate(b, 1);
      await utimes(dir, past, past);
      assert.equal((await pass()).hours[0].rawCoverage, 1_000_000, 'and loses again once shrunk');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('a quality folder that exists but cannot be listed keeps the last results (null pass); a missing one has none', async () => {
    const base = await makeTmpDir('cache-unreadable');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
      const q = path.join(base, 'chan', 'source');
      const cache = new HourCache();
      const kinds: string[] = [];
      const pass = () =>
        coldPass({
          base,
          channel: 'chan',
          quality: 'source',
          window: {},
          concurrency: 2,
          cache,
          report: (k) => {
            kinds.push(k);
          },
        });
      assert.equal((await pass())?.hours.length, 1);
      // a symlink loop where the quality folder was: unreadable even for root
      await rename(q, path.join(base, 'away'));
      await symlink(q, q);
      assert.equal(await pass(), null, 'unreadable: the caller keeps what it has');
      assert.ok(kinds.includes('unreadable'), 'and the problem is reported');
      await rm(q);
      assert.deepEqual((await pass())?.hours, [], 'gone: no hours');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('reads a settled folder again when only its permissions changed (its ctime moved), and names hour folders that cannot be read', async () => {
    const base = await makeTmpDir('cache-chmod');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
      fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 10);
      const q = path.join(base, 'chan', 'source');
      const past = new Date(Date.now() - 60_000);
      for (const h of ['2026-11-01T00', '2026-11-01T01']) await utimes(path.join(q, h), past, past);
      const cache = new HourCache();
      const pass = () =>
        coldPass({ base, channel: 'chan', quality: 'source', window: {}, concurrency: 2, cache, report: () => {} }).then((r) => {
          assert.ok(r !== null);
          return r;
        });
      const first = await pass();
      assert.equal((await pass()).hours[0], first.hours[0], 'settled unchanged: a hit');
      await chmod(path.join(q, '2026-11-01T00'), 0o700); // mtime unchanged
      const second = await pass();
      assert.notEqual(second.hours[0], first.hours[0], 'read again: a chmod 000 would be seen');
      assert.equal(second.hours[1], first.hours[1]);
      assert.deepEqual(second.unreadable, []);
      // a loop where an hour folder was: there, and unreadable even for root
      await rename(path.join(q, '2026-11-01T01'), path.join(base, 'away'));
      await symlink(path.join(q, '2026-11-01T01'), path.join(q, '2026-11-01T01'));
      const third = await pass();
      assert.deepEqual(third.unreadable, ['2026-11-01T01']);
      assert.deepEqual(
        third.hours.map((h) => h.hour),
        ['2026-11-01T00'],
      );
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
