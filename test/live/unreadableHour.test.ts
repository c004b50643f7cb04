import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startDaemon, waitFor, WAIT_MS, type RunningDaemon } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { coverageSeries, scrape } from './liveHarness.js';

const asRoot = process.getuid?.() === 0;
/** Where we are root, the daemon drops to nobody (its own --user) so a permission error is real. */
const unprivileged = asRoot ? ['--user', '65534:65534'] : [];

const UNREADABLE = 'segcov_store_errors_total{kind="unreadable"}';
const PASSES = 'segcov_passes_total{channel="chan",quality="source"}';
const MISSING = 'segcov_window_missing_hour_slots{channel="chan",quality="source"}';
const FULL01 = 'segment_count{channel="chan",hour="2026-11-01T01",quality="source",type="full"}';
const RAW01 = 'raw_coverage{channel="chan",hour="2026-11-01T01",quality="source"}';

const metric = async (d: RunningDaemon, name: string): Promise<number> => (await scrape(d)).get(name) ?? -1;
const series = async (d: RunningDaemon): Promise<string> => coverageSeries(await (await fetch(`${d.url}/metrics`)).text());

describe('an hour folder made unreadable', () => {
  it('keeps its last values through live updates and full passes (no missing hour), and counts each time it becomes unreadable', async () => {
    const root = await makeTmpDir('unreadable-hour');
    const base = path.join(root, 'store');
    const out = path.join(root, 'out');
    const hourDir = path.join(base, 'chan', 'source', '2026-11-01T01');
    try {
      for (const h of ['2026-11-01T00', '2026-11-01T01', '2026-11-01T02']) fillHour(base, 'chan', 'source', h, 0, 3600);
      await mkdir(out);
      await chmod(root, 0o777);
      await chmod(out, 0o777);
      // passes every second: each must keep the unreadable hour too
      const d = await startDaemon(['chan', '--base-dir', base, '--output-dir', out, '--check-interval', '1', ...unprivileged]);
      try {
        await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), WAIT_MS);
        assert.equal(await metric(d, MISSING), 0);
        assert.equal(await metric(d, UNREADABLE), 0);
        for (let flip = 1; flip <= 3; flip++) {
          const before = await series(d);
          await chmod(hourDir, 0o000);
          await waitFor(
            `unreadable #${flip} to be counted`,
            async () => ((await metric(d, UNREADABLE)) === flip ? true : undefined),
            WAIT_MS,
          );
          const passes = await metric(d, PASSES);
          await waitFor(
            'two full passes while it is unreadable',
            async () => ((await metric(d, PASSES)) >= passes + 2 ? true : undefined),
            WAIT_MS,
          );
          assert.equal(await series(d), before, 'every value kept, the hour included');
          assert.equal(await metric(d, MISSING), 0, 'not a missing hour');
          assert.equal(await metric(d, UNREADABLE), flip, 'counted once while it stays unreadable');
          // readable again, with one more segment that shows it was read
          await chmod(hourDir, 0o755);
          putSegment(base, 'chan', 'source', '2026-11-01T01', `30:00.500000-1.000-full-F${flip}.ts`);
          await waitFor('the hour read again', async () => ((await metric(d, FULL01)) === 1800 + flip ? true : undefined), WAIT_MS);
          assert.equal(await metric(d, RAW01), 3600);
        }
        assert.match(d.stderr(), /store: unreadable: cannot list hour: EACCES/);
      } finally {
        await chmod(hourDir, 0o755).catch(() => {});
        const { code } = await d.stop();
        assert.equal(code, 0, d.stderr().slice(-2000));
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('a deleted map', () => {
  it('is written again at the next full pass, though no pixel changed', async () => {
    const root = await makeTmpDir('map-deleted');
    const base = path.join(root, 'store');
    const out = path.join(root, 'out');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 100);
      const d = await startDaemon(['chan', '--base-dir', base, '--output-dir', out, '--check-interval', '1']);
      try {
        const map = path.join(out, 'chan_source_coverage.png');
        await waitFor('the map', async () => (existsSync(map) ? true : undefined), WAIT_MS);
        await rm(map);
        const passes = await metric(d, PASSES);
        await waitFor('a full pass', async () => ((await metric(d, PASSES)) > passes ? true : undefined), WAIT_MS);
        await waitFor('the map written again', async () => (existsSync(map) ? true : undefined), WAIT_MS);
        assert.equal((await fetch(`${d.url}/maps/chan_source_coverage.png`)).status, 200);
      } finally {
        const { code } = await d.stop();
        assert.equal(code, 0, d.stderr().slice(-2000));
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
