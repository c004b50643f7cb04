import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { passAll } from '../../src/daemon/passes.js';
import { LiveMode } from '../../src/live/liveMode.js';
import { createLogger } from '../../src/log.js';
import { waitFor, WAIT_MS } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { coverageSeries, freshRunOnce, makeInodeReusingTmpDir } from './liveHarness.js';

const CHANNELS = ['chan', 'chan2'];

/** An in-process daemon with live mode on a store where re-created folders get their old inode. */
async function setup() {
  const base = await makeInodeReusingTmpDir('recreate');
  fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
  fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 10);
  fillHour(base, 'chan2', 'source', '2026-11-01T00', 0, 6);
  const quiet = new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
  const config = resolveDaemonConfig({
    channels: CHANNELS,
    'base-dir': base,
    qualities: 'source',
    'pixel-length': 2,
    rows: 300,
    'metrics-port': 0,
    'check-interval': 3600,
    concurrency: 2,
  });
  const parts = createDaemon(config, createLogger('error', quiet));
  await passAll(parts);
  const live = new LiveMode(parts);
  await live.start();
  const steps: string[] = [];
  /** Polls until the live gauges equal a fresh run-once (30 s deadline), then asserts it. */
  const matches = async (step: string): Promise<void> => {
    steps.push(step);
    let expected = '';
    let got = '';
    await waitFor(
      'live == run-once',
      async () => {
        expected = await freshRunOnce(base, CHANNELS, ['source']);
        got = coverageSeries(parts.gauges.text());
        return got === expected ? true : undefined;
      },
      WAIT_MS,
      50,
    ).catch(() => undefined);
    assert.equal(got, expected, `after:\n${steps.join('\n')}`);
  };
  const mismatches = async (): Promise<string> => parts.metrics.registry.getSingleMetricAsString('segcov_live_mismatches_total');
  return { base, parts, live, matches, mismatches };
}

async function teardown(s: Awaited<ReturnType<typeof setup>>): Promise<void> {
  await s.live.stop();
  for (const c of s.parts.checkers) {
    await c.settled();
    await c.flush();
  }
  await rm(s.base, { recursive: true, force: true });
}

describe('re-created folders are watched again, whatever their inode', () => {
  it('an hour folder removed and re-created twice, then written to', async () => {
    const s = await setup();
    try {
      const h = path.join(s.base, 'chan', 'source', '2026-11-01T00');
      const inos: number[] = [statSync(h).ino];
      for (let i = 0; i < 2; i++) {
        rmSync(h, { recursive: true });
        mkdirSync(h);
        inos.push(statSync(h).ino);
      }
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:00.000000-2.000-suspect-AAAA.ts', 10);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:04.000000-2.000-suspect-AAAA.ts', 10);
      await s.matches(`hour 00 removed and re-created twice (inodes ${inos.join(', ')}), two suspects added`);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:02.000000-2.000-full-AAAA.ts');
      await s.matches('a full segment appended');
      // and once more with a check in between: the daemon saw the folder go before it came back
      rmSync(h, { recursive: true });
      await s.matches('hour 00 removed');
      mkdirSync(h);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:08.000000-1.000-partial-AAAA.ts', 3);
      await s.matches(`hour 00 re-created (inode ${statSync(h).ino}) with a partial`);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:08.000000-1.500-partial-BBBB.ts', 9);
      await s.matches('a bigger partial at the same start');
      assert.equal(s.live.degraded, false);
      assert.doesNotMatch(await s.mismatches(), /segcov_live_mismatches_total\{[^}]*\} [1-9]/);
    } finally {
      await teardown(s);
    }
  });

  it('a quality folder and a channel folder removed and re-created, then new hours made in them', async () => {
    const s = await setup();
    try {
      const q = path.join(s.base, 'chan', 'source');
      for (let i = 0; i < 2; i++) {
        rmSync(q, { recursive: true });
        mkdirSync(q);
      }
      fillHour(s.base, 'chan', 'source', '2026-11-01T03', 0, 8);
      await s.matches('quality chan/source removed and re-created twice, hour 03 made in it');
      fillHour(s.base, 'chan', 'source', '2026-11-01T04', 0, 4);
      await s.matches('hour 04 made later');
      putSegment(s.base, 'chan', 'source', '2026-11-01T03', '00:20.000000-2.000-full-AAAA.ts');
      await s.matches('segment added to hour 03');

      const c = path.join(s.base, 'chan2');
      rmSync(c, { recursive: true });
      await s.matches('channel chan2 removed');
      mkdirSync(c);
      mkdirSync(path.join(c, 'source'));
      await s.matches('channel chan2 re-created, empty quality');
      fillHour(s.base, 'chan2', 'source', '2026-11-01T02', 0, 12);
      await s.matches('hour made in the re-created channel');
      rmSync(c, { recursive: true });
      fillHour(s.base, 'chan2', 'source', '2026-11-01T02', 0, 2);
      await s.matches('channel removed and re-created at once with one hour');
      putSegment(s.base, 'chan2', 'source', '2026-11-01T02', '00:02.000000-2.000-full-AAAA.ts');
      await s.matches('segment appended there');
      assert.equal(s.live.degraded, false);
    } finally {
      await teardown(s);
    }
  });
});
