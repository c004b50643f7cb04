import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { passAll } from '../../src/daemon/passes.js';
import { LiveMode } from '../../src/live/liveMode.js';
import type { DirWatchFn } from '../../src/live/watchEvents.js';
import { createLogger } from '../../src/log.js';
import { waitFor, WAIT_MS } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

function capture(): { stream: Writable; lines: () => { level: string; msg: string }[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: string; msg: string }),
  };
}

function enospc(): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('ENOSPC: System limit for number of file watchers reached');
  e.code = 'ENOSPC';
  return e;
}

const realWatch: DirWatchFn = (dir, onName, onError) => {
  const w = watch(dir, { persistent: false }, (_e, n) => onName(n === null ? null : String(n)));
  w.on('error', onError);
  return w;
};

async function setup(dirWatch: DirWatchFn) {
  const base = await makeTmpDir('watchfail');
  fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
  fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 10);
  const log = capture();
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
  const parts = createDaemon(config, createLogger('info', log.stream));
  await passAll(parts);
  const live = new LiveMode(parts, dirWatch);
  const gauge = async (hour = '2026-11-01T00'): Promise<number | undefined> => {
    const text = parts.gauges.text();
    const m = new RegExp(`raw_coverage\\{channel="chan",hour="${hour}",quality="source"\\} (\\S+)`).exec(text);
    return m === null ? undefined : Number(m[1]);
  };
  const degradedGauge = async (): Promise<string> => parts.metrics.registry.getSingleMetricAsString('segcov_watcher_degraded');
  return { base, parts, live, log, gauge, degradedGauge };
}

async function teardown(s: Awaited<ReturnType<typeof setup>>): Promise<void> {
  await s.live.stop();
  for (const c of s.parts.checkers) {
    await c.settled();
    await c.flush();
  }
  await rm(s.base, { recursive: true, force: true, maxRetries: 3 });
}

describe('when watching fails', () => {
  for (const which of ['every folder', 'only the older hour folder'] as const)
    it(`the OS refusing watches (${which}): warns once, polls every unwatched hour (not only the newest), retries until watching holds`, async () => {
      let refuse = true;
      const s = await setup((dir, onName, onError) => {
        if (refuse && (which === 'every folder' || dir.endsWith('2026-11-01T00'))) throw enospc();
        return realWatch(dir, onName, onError);
      });
      try {
        await s.live.start();
        assert.equal(s.live.degraded, true);
        assert.match(await s.degradedGauge(), /segcov_watcher_degraded 1/);
        // hour 00 is not the newest: polling must still see it
        putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:10.000000-2.000-full-AAAA.ts');
        await waitFor('polling to pick up the older hour', async () => ((await s.gauge()) === 12 ? true : undefined), WAIT_MS);
        const warns = s.log.lines().filter((l) => l.level === 'warn' && l.msg.includes('cannot watch'));
        assert.equal(warns.length, 1, 'warned once for the whole episode');
        assert.match(warns[0].msg, /max_user_watches/);

        refuse = false; // the limit was raised
        await waitFor(
          'a retry to watch everything again',
          async () => (/segcov_watcher_degraded 0/.test(await s.degradedGauge()) ? true : undefined),
          WAIT_MS,
        );
        assert.equal(s.live.degraded, false);
        assert.equal(s.live.unwatched.size, 0);
        putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:12.000000-2.000-full-AAAA.ts');
        await waitFor('a watch event', async () => ((await s.gauge()) === 14 ? true : undefined), WAIT_MS);
        assert.equal(s.live.degraded, false, 'still watched: the update came from the watch');
      } finally {
        await teardown(s);
      }
    });

  it('a watch error later: that folder is polled and re-watched; the rest stays watched', async () => {
    const errors = new Map<string, (e: Error) => void>();
    const s = await setup((dir, onName, onError) => {
      errors.set(dir, onError);
      return realWatch(dir, onName, onError);
    });
    try {
      await s.live.start();
      assert.equal(s.live.degraded, false);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:10.000000-2.000-full-AAAA.ts');
      await waitFor('watch event', async () => ((await s.gauge()) === 12 ? true : undefined), WAIT_MS);
      const hourDir = [...errors.keys()].find((d) => d.endsWith('2026-11-01T00'));
      assert.ok(hourDir !== undefined);
      errors.get(hourDir)?.(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }));
      assert.equal(s.live.degraded, true);
      assert.match(await s.parts.metrics.registry.getSingleMetricAsString('segcov_errors_total'), /kind="watcher"\} 1/);
      await waitFor('re-watched', async () => (/segcov_watcher_degraded 0/.test(await s.degradedGauge()) ? true : undefined), WAIT_MS);
      putSegment(s.base, 'chan', 'source', '2026-11-01T00', '00:12.000000-2.000-full-AAAA.ts');
      await waitFor('updates go on', async () => ((await s.gauge()) === 14 ? true : undefined), WAIT_MS);
    } finally {
      await teardown(s);
    }
  });
});
