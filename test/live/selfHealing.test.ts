import assert from 'node:assert/strict';
import { renameSync, symlinkSync } from 'node:fs';
import { chmod, mkdir, rename, rm, symlink, truncate, utimes } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startDaemon, waitFor, type RunningDaemon, WAIT_MS } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { coverageSeries, scrape, waitUntilLiveMatches } from './liveHarness.js';

const asRoot = process.getuid?.() === 0;
/**
 * Where we are root, the daemon drops to nobody with its own --user so a permission error is
 * real: it starts as root (its code loads from a checkout nobody may not read) and drops.
 */
const unprivileged = asRoot ? ['--user', '65534:65534'] : [];

async function withDaemon(args: string[], body: (d: RunningDaemon) => Promise<void>, extraArgs: string[] = []): Promise<void> {
  const d = await startDaemon([...args, ...extraArgs]);
  try {
    await body(d);
  } finally {
    const { code } = await d.stop();
    assert.equal(code, 0, d.stderr().slice(-2000));
  }
}

const gauge = (m: Map<string, number>, name: string): number | undefined => m.get(name);
const RAW00 = 'raw_coverage{channel="chan",hour="2026-11-01T00",quality="source"}';

/** Waits until the live updates counter moved past `before` and the watcher is not degraded: the change came by watching. */
async function assertWatched(d: RunningDaemon, before: number): Promise<void> {
  const m = await scrape(d);
  assert.equal(m.get('segcov_watcher_degraded'), 0, 'everything is watched');
  assert.ok((m.get('segcov_live_updates_total{channel="chan",quality="source"}') ?? 0) > before, 'the update came from a watch');
}

describe('live watching heals itself', () => {
  it('base removed and re-created: series go with it, come back exactly, and watching resumes', async () => {
    const root = await makeTmpDir('heal-base');
    const base = path.join(root, 'store');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
      fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 20);
      await withDaemon(['chan', '--base-dir', base, '--output-dir', path.join(root, 'out'), '--check-interval', '3600'], async (d) => {
        await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), WAIT_MS);
        const steps: string[] = [];
        await rename(base, path.join(root, 'moved-away'));
        steps.push('base moved away');
        await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => steps.join('\n'));
        assert.equal(coverageSeries(await (await fetch(`${d.url}/metrics`)).text()), '', 'a removed base has no series (gone from disk)');
        await waitFor(
          'degraded while the base is missing',
          async () => ((await scrape(d)).get('segcov_watcher_degraded') === 1 ? true : undefined),
          WAIT_MS,
        );

        // re-created with different content (fresh folders: tmpfs may reuse the old inodes)
        fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 30);
        steps.push('base re-created with 30 s in hour 00');
        await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => steps.join('\n'));
        await waitFor('watching again', async () => ((await scrape(d)).get('segcov_watcher_degraded') === 0 ? true : undefined), WAIT_MS);
        const updates = (await scrape(d)).get('segcov_live_updates_total{channel="chan",quality="source"}') ?? 0;
        putSegment(base, 'chan', 'source', '2026-11-01T00', '00:40.000000-2.000-full-AAAA.ts');
        steps.push('segment added after the base came back');
        await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => steps.join('\n'));
        assert.equal(gauge(await scrape(d), RAW00), 32);
        await assertWatched(d, updates);
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('base unreadable (EACCES) then readable: last values kept and the error counted meanwhile, then exact and watched again', async () => {
    const root = await makeTmpDir('heal-eacces');
    const base = path.join(root, 'store');
    const out = path.join(root, 'out');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
      fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 20);
      await mkdir(out);
      await chmod(root, 0o777);
      await chmod(out, 0o777);
      await withDaemon(
        ['chan', '--base-dir', base, '--output-dir', out, '--check-interval', '3600'],
        async (d) => {
          await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), WAIT_MS);
          const before = coverageSeries(await (await fetch(`${d.url}/metrics`)).text());
          assert.match(before, /raw_coverage\{channel="chan",hour="2026-11-01T01",quality="source"\} 20/);
          await chmod(base, 0o000);
          // every scrape while the base is unreadable still has the last known values
          await waitFor(
            'the fault to be seen (degraded, error counted)',
            async () => {
              const text = await (await fetch(`${d.url}/metrics`)).text();
              assert.equal(coverageSeries(text), before, 'series kept while the base is unreadable');
              const m = await scrape(d);
              return m.get('segcov_watcher_degraded') === 1 && (m.get('segcov_store_errors_total{kind="unreadable"}') ?? 0) >= 1
                ? true
                : undefined;
            },
            WAIT_MS,
          );
          for (let i = 0; i < 5; i++) {
            assert.equal(coverageSeries(await (await fetch(`${d.url}/metrics`)).text()), before, 'still kept');
            await new Promise((r) => setTimeout(r, 200));
          }
          await chmod(base, 0o755);
          await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => 'base made readable again');
          await waitFor('watching again', async () => ((await scrape(d)).get('segcov_watcher_degraded') === 0 ? true : undefined), WAIT_MS);
          const updates = (await scrape(d)).get('segcov_live_updates_total{channel="chan",quality="source"}') ?? 0;
          putSegment(base, 'chan', 'source', '2026-11-01T00', '00:10.000000-2.000-full-AAAA.ts');
          await chmod(path.join(base, 'chan', 'source', '2026-11-01T00', '00:10.000000-2.000-full-AAAA.ts'), 0o644);
          await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => 'segment added after the fault');
          assert.equal(gauge(await scrape(d), RAW00), 12);
          await assertWatched(d, updates);
        },
        unprivileged,
      );
    } finally {
      await chmod(base, 0o755).catch(() => {});
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a symlink loop in the store does not degrade watching of the rest; a base replaced by a loop heals', async () => {
    const root = await makeTmpDir('heal-loop');
    const base = path.join(root, 'store');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
      await mkdir(path.join(base, 'chan2'), { recursive: true });
      await withDaemon(
        ['chan', 'chan2', '--base-dir', base, '--output-dir', path.join(root, 'out'), '--check-interval', '3600'],
        async (d) => {
          await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), WAIT_MS);
          const q = path.join(base, 'chan', 'source');
          await symlink(path.join(q, '2026-11-01T05'), path.join(q, '2026-11-01T05'));
          await symlink(path.join(base, 'chan2', 'source'), path.join(base, 'chan2', 'source'));
          const updates = (await scrape(d)).get('segcov_live_updates_total{channel="chan",quality="source"}') ?? 0;
          putSegment(base, 'chan', 'source', '2026-11-01T00', '00:10.000000-2.000-full-AAAA.ts');
          await waitUntilLiveMatches(d, base, ['chan', 'chan2'], ['source'], () => 'loops made, then a segment added');
          assert.equal(gauge(await scrape(d), RAW00), 12);
          await assertWatched(d, updates);

          // the base itself replaced by a symlink loop: unreadable, values kept; then put back
          const before = coverageSeries(await (await fetch(`${d.url}/metrics`)).text());
          // back to back, synchronously: for the moment between the two the base is missing, and a
          // daemon that lists it then rightly drops its series (see the first test); two awaited
          // calls left a whole thread-pool round trip for that on a busy machine
          renameSync(base, path.join(root, 'away'));
          symlinkSync(base, base);
          await waitFor(
            'the loop to be seen',
            async () => {
              const text = await (await fetch(`${d.url}/metrics`)).text();
              assert.equal(coverageSeries(text), before, 'series kept while the base is a loop');
              return (await scrape(d)).get('segcov_watcher_degraded') === 1 ? true : undefined;
            },
            WAIT_MS,
          );
          await rm(base);
          await rename(path.join(root, 'away'), base);
          putSegment(base, 'chan', 'source', '2026-11-01T00', '00:12.000000-2.000-full-AAAA.ts');
          await waitUntilLiveMatches(d, base, ['chan', 'chan2'], ['source'], () => 'base loop removed, base put back, a segment added');
          await waitFor('watching again', async () => ((await scrape(d)).get('segcov_watcher_degraded') === 0 ? true : undefined), WAIT_MS);
          assert.equal(gauge(await scrape(d), RAW00), 14);
        },
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('--no-watch: a partial that grows in place (same folder mtime) is seen by the next periodic pass', async () => {
    const root = await makeTmpDir('heal-size');
    const base = path.join(root, 'store');
    try {
      putSegment(base, 'chan', 'source', '2026-11-01T00', '00:00.000000-1.000-partial-AAAA.ts', 10);
      const b = putSegment(base, 'chan', 'source', '2026-11-01T00', '00:00.000000-2.000-partial-BBBB.ts', 5);
      const dir = path.join(base, 'chan', 'source', '2026-11-01T00');
      const past = new Date(Date.now() - 60_000);
      await utimes(dir, past, past); // settled: passes trust the folder's stamp
      await withDaemon(
        ['chan', '--base-dir', base, '--output-dir', path.join(root, 'out'), '--check-interval', '1', '--no-watch'],
        async (d) => {
          assert.equal(gauge(await scrape(d), RAW00), 1, 'the bigger 1 s partial is the best');
          // let a periodic pass run on the unchanged folder (a cache hit), then grow the other
          const passes = (await scrape(d)).get('segcov_passes_total{channel="chan",quality="source"}') ?? 0;
          await waitFor(
            'a periodic pass',
            async () => (((await scrape(d)).get('segcov_passes_total{channel="chan",quality="source"}') ?? 0) > passes ? true : undefined),
            WAIT_MS,
          );
          await truncate(b, 20);
          await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => 'partial BBBB grew from 5 to 20 bytes');
          assert.equal(gauge(await scrape(d), RAW00), 2);
          await truncate(b, 1);
          await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => 'partial BBBB shrank to 1 byte');
          assert.equal(gauge(await scrape(d), RAW00), 1);
        },
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
