import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { HOUR_US } from '../../src/coverage/types.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { passAll } from '../../src/daemon/passes.js';
import { LiveMode } from '../../src/live/liveMode.js';
import type { GuardTimings } from '../../src/live/resyncGuard.js';
import { defaultDirWatch, type DirWatchFn } from '../../src/live/watchEvents.js';
import { createLogger } from '../../src/log.js';
import { formatHourName } from '../../src/store/hourName.js';
import { formatSegmentName } from '../../src/store/segmentName.js';
import { startDaemon, waitFor, WAIT_MS } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { coverageSeries, freshRunOnce, scrape, waitUntilLiveMatches } from './liveHarness.js';

const H0 = Date.UTC(2026, 10, 1) * 1000;
const hour = (i: number): string => formatHourName(H0 + i * HOUR_US);
const resyncs = (m: Map<string, number>, reason: string): number => m.get(`segcov_live_resyncs_total{reason="${reason}"}`) ?? -1;

function touch(file: string): void {
  closeSync(openSync(file, 'w'));
}

describe('missed watch events are found and re-read', () => {
  it('SIGSTOP, then 30,000 files in one hour, 300 deleted in another, a new hour, an hour moved away: the overflow is counted and the gauges are exact', async () => {
    const root = await makeTmpDir('overflow');
    const base = path.join(root, 'store');
    const qualities = ['source', '480p'];
    try {
      // the store: 6 h of 2 s segments in two qualities
      for (const q of qualities) for (let i = 0; i < 6; i++) fillHour(base, 'chan', q, hour(i), 0, 3600);
      const d = await startDaemon(
        [
          'chan',
          '--base-dir',
          base,
          '--qualities',
          qualities.join(','),
          '--output-dir',
          path.join(root, 'out'),
          '--check-interval',
          '3600',
        ],
        { readyTimeoutMs: 2 * WAIT_MS },
      );
      const pid = d.proc.pid ?? 0;
      let stopped = false;
      try {
        await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), WAIT_MS, 100);
        const before = await scrape(d);
        assert.equal(resyncs(before, 'overflow'), 0);
        process.kill(pid, 'SIGSTOP');
        stopped = true;
        // More events than the kernel queues for a stopped reader (max_queued_events, 16384 by
        // default): they are queued as the files are made, so the queue has overflowed once
        // these calls return, however long the stop lasts.
        const busy = path.join(base, 'chan', 'source', hour(1));
        for (let i = 0; i < 30_000; i++) touch(path.join(busy, formatSegmentName(i * 120_000, 2_000_000, 'full', `burst${i}`)));
        const thinned = path.join(base, 'chan', 'source', hour(2));
        for (const f of readdirSync(thinned).sort().slice(0, 300)) rmSync(path.join(thinned, f));
        mkdirSync(path.join(base, 'chan', 'source', hour(6)));
        for (let i = 0; i < 50; i++)
          touch(path.join(base, 'chan', 'source', hour(6), formatSegmentName(i * 2_000_000, 2_000_000, 'full', `new${i}`)));
        renameSync(path.join(base, 'chan', '480p', hour(3)), path.join(root, 'moved-away'));
        process.kill(pid, 'SIGCONT');
        stopped = false;
        // --check-interval 3600: no periodic pass can be what makes the numbers right
        await waitUntilLiveMatches(
          d,
          base,
          ['chan'],
          qualities,
          () => 'stopped; 30,000 files made, 300 deleted, a new hour, a 480p hour moved away; continued',
        );
        const after = await scrape(d);
        assert.ok(resyncs(after, 'overflow') >= 1, 'the overflow was counted');
        assert.match(d.stderr(), /"reason":"overflow".*event queue filled up/, 'and logged');
        assert.equal(after.get('segcov_watcher_degraded'), 0);
        assert.equal(after.get('segcov_live_mismatches_total{channel="chan",quality="source"}'), 0, 'no periodic pass ran to find it');
        // watching goes on in the hour made while stopped
        putSegment(base, 'chan', 'source', hour(6), formatSegmentName(200_000_000, 2_000_000, 'full', 'after'));
        await waitUntilLiveMatches(d, base, ['chan'], qualities, () => 'a segment added after the resync');
      } finally {
        if (stopped) process.kill(pid, 'SIGCONT');
        const { code } = await d.stop();
        assert.equal(code, 0, d.stderr().slice(-2000));
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  /** An in-process daemon with live mode, its guard looking every 50 ms. */
  async function inProcess(prefix: string, timings: Partial<GuardTimings>, dirWatch?: DirWatchFn) {
    const base = await makeTmpDir(prefix);
    fillHour(base, 'chan', 'source', hour(0), 0, 10);
    fillHour(base, 'chan', 'source', hour(1), 0, 20);
    const lines: string[] = [];
    const log = new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(c.toString());
        cb();
      },
    });
    const config = resolveDaemonConfig({
      channels: ['chan'],
      'base-dir': base,
      qualities: 'source',
      'pixel-length': 2,
      rows: 300,
      'metrics-port': 0,
      'check-interval': 3600,
      concurrency: 2,
    });
    const parts = createDaemon(config, createLogger('info', log));
    await passAll(parts);
    const live = new LiveMode(parts, dirWatch, { everyMs: 50, stallMs: 60_000, queueLimit: 16384, ...timings });
    await live.start();
    const count = async (reason: string): Promise<number> => {
      const m = new RegExp(`segcov_live_resyncs_total\\{reason="${reason}"\\} (\\d+)`).exec(
        await parts.metrics.registry.getSingleMetricAsString('segcov_live_resyncs_total'),
      );
      return Number(m?.[1] ?? -1);
    };
    const exact = async (what: string): Promise<void> => {
      let got = '';
      let expected = '';
      await waitFor(
        what,
        async () => {
          expected = await freshRunOnce(base, ['chan'], ['source']);
          got = coverageSeries(parts.gauges.text());
          return got === expected ? true : undefined;
        },
        WAIT_MS,
      ).catch(() => assert.equal(got, expected, what));
    };
    const close = async (): Promise<void> => {
      await live.stop();
      for (const c of parts.checkers) {
        await c.settled();
        await c.flush();
      }
      await rm(base, { recursive: true, force: true });
    };
    return { base, parts, live, lines, count, exact, close };
  }

  it('a stall (the loop stood still longer than the stall limit) is counted and everything read again', async () => {
    const s = await inProcess('stall', { stallMs: 400 });
    try {
      assert.equal(await s.count('stall'), 0);
      putSegment(s.base, 'chan', 'source', hour(0), '00:10.000000-2.000-full-AAAA.ts');
      // stand still without burning CPU: the guard's timer fires at least 600 ms late
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
      await waitFor('the stall to be counted', async () => ((await s.count('stall')) >= 1 ? true : undefined), WAIT_MS);
      await s.exact('a segment added, then 1 s standing still');
      assert.ok(
        s.lines.some((l) => l.includes('"reason":"stall"') && l.includes('stood still')),
        'logged at warn',
      );
      assert.equal(await s.count('overflow'), 0);
    } finally {
      await s.close();
    }
  });

  it('a batch of watch events of half the kernel queue limit counts as an overflow', async () => {
    const s = await inProcess('batch', { queueLimit: 200 });
    try {
      const dir = path.join(s.base, 'chan', 'source', hour(1));
      // made in one synchronous run: the loop gets all their events in one batch
      for (let i = 0; i < 150; i++) touch(path.join(dir, formatSegmentName(30_000_000 + i * 2_000_000, 2_000_000, 'full', `b${i}`)));
      await waitFor('the overflow to be counted', async () => ((await s.count('overflow')) === 1 ? true : undefined), WAIT_MS);
      await s.exact('150 files made at once');
      // a few events at a time are no overflow
      for (let i = 0; i < 5; i++) {
        touch(path.join(dir, formatSegmentName(1_000_000_000 + i * 2_000_000, 2_000_000, 'full', `c${i}`)));
        await new Promise((r) => setTimeout(r, 20));
      }
      await s.exact('5 files made one by one');
      assert.equal(await s.count('overflow'), 1);
    } finally {
      await s.close();
    }
  });

  it('a quality folder replaced without any event reaching segcov: found by its inode, counted as replaced, watched again', async () => {
    let deaf = false;
    const s = await inProcess('replaced', {}, (dir, onName, onError) =>
      defaultDirWatch(
        dir,
        (n) => {
          if (!deaf) onName(n);
        },
        onError,
      ),
    );
    try {
      deaf = true;
      const q = path.join(s.base, 'chan', 'source');
      renameSync(q, path.join(s.base, 'old-source'));
      fillHour(s.base, 'chan', 'source', hour(3), 0, 40);
      await s.exact('the quality folder replaced, unheard');
      assert.equal(await s.count('replaced'), 1);
      assert.equal(await s.count('remount'), 0);
      assert.ok(
        s.lines.some((l) => l.includes('"reason":"replaced"') && l.includes(q)),
        'logged with the folder',
      );
      deaf = false;
      putSegment(s.base, 'chan', 'source', hour(3), '50:00.000000-2.000-full-AAAA.ts');
      await s.exact('a segment added to the new quality folder');
      assert.equal(await s.count('replaced'), 1, 'that one came by its watch');
    } finally {
      await s.close();
    }
  });
});
