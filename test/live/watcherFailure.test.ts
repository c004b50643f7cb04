import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { createDaemon, passAll } from '../../src/daemon/daemon.js';
import { LiveMode } from '../../src/live/liveMode.js';
import type { DirWatchFn } from '../../src/live/storeWatcher.js';
import { createLogger } from '../../src/log.js';
import { waitFor } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

function capture(): { stream: Writable; lines: () => { level: number; msg: string }[] } {
  const chunks: string[] = [];
  const stream = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c.toString()); cb(); } });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

function enospc(): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('ENOSPC: System limit for number of file watchers reached');
  e.code = 'ENOSPC';
  return e;
}

async function setup(dirWatch: DirWatchFn) {
  const base = await makeTmpDir('watchfail');
  fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
  const log = capture();
  const config = resolveDaemonConfig({ channels: ['chan'], 'base-dir': base, qualities: 'source', 'pixel-length': 2, rows: 300, 'metrics-port': 0, 'check-interval': 3600, concurrency: 2 });
  const parts = createDaemon(config, createLogger('info', log.stream));
  await passAll(parts);
  const live = new LiveMode(parts, dirWatch);
  const gauge = async (): Promise<number | undefined> => {
    const text = await parts.gauges.registry.metrics();
    const m = /raw_coverage\{channel="chan",hour="2026-11-01T00",quality="source"\} (\S+)/.exec(text);
    return m === null ? undefined : Number(m[1]);
  };
  return { base, parts, live, log, gauge };
}

describe('when watching fails', () => {
  it('the OS refusing a watch at start: warns once, sets the metric, keeps updating by polling', async () => {
    const s = await setup(() => { throw enospc(); });
    try {
      await s.live.start();
      assert.equal(s.live.degraded, true);
      assert.match(await s.parts.metrics.registry.getSingleMetricAsString('segcov_watcher_degraded'), /segcov_watcher_degraded 1/);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:10.000000-2.000-full-AAAA.ts');
      await waitFor('poll picks up the new segment', async () => ((await s.gauge()) === 12 ? true : undefined));
      s.live.degrade(enospc());
      const warns = s.log.lines().filter((l) => l.level === 40 && l.msg.includes('watching the store failed'));
      assert.equal(warns.length, 1, 'warned once');
      assert.match(warns[0].msg, /max_user_watches/);
    } finally {
      await s.live.stop();
      for (const c of s.parts.checkers) { await c.settled(); await c.flush(); }
      await rm(s.base, { recursive: true, force: true, maxRetries: 3 });
    }
  });

  it('a watcher error later: degrades the same way and the daemon goes on', async () => {
    let onError: ((e: Error) => void) | null = null;
    const s = await setup((dir, onName, err) => {
      onError = err;
      return watch(dir, { persistent: false }, (_e, n) => onName(n === null ? null : String(n)));
    });
    try {
      await s.live.start();
      assert.equal(s.live.degraded, false);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:10.000000-2.000-full-AAAA.ts');
      await waitFor('watch event', async () => ((await s.gauge()) === 12 ? true : undefined));
      assert.ok(onError !== null);
      (onError as (e: Error) => void)(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }));
      assert.equal(s.live.degraded, true);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:12.000000-2.000-full-AAAA.ts');
      await waitFor('poll after the error', async () => ((await s.gauge()) === 14 ? true : undefined));
      assert.match(await s.parts.metrics.registry.getSingleMetricAsString('segcov_errors_total'), /kind="watcher"\} 1/);
    } finally {
      await s.live.stop();
      for (const c of s.parts.checkers) { await c.settled(); await c.flush(); }
      await rm(s.base, { recursive: true, force: true, maxRetries: 3 });
    }
  });
});
