import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startDaemon, waitFor, WAIT_MS, type RunningDaemon } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { scrape, waitUntilLiveMatches } from './liveHarness.js';

const asRoot = process.getuid?.() === 0;

/** Runs a command in the daemon's mount namespace. */
function inDaemonMounts(d: RunningDaemon, cmd: string[]): void {
  const r = spawnSync('nsenter', ['--target', String(d.proc.pid), '--mount', '--', ...cmd], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
}

const counter = async (d: RunningDaemon, name: string): Promise<number> => (await scrape(d)).get(name) ?? -1;
const REMOUNTS = 'segcov_live_resyncs_total{reason="remount"}';
const UPDATES = 'segcov_live_updates_total{channel="chan",quality="source"}';

describe('a mount over the base', () => {
  it('mount --bind OTHER BASE is followed (writes into it reach the live state), and so is its unmount; each counted as a remount', async () => {
    assert.ok(asRoot, 'mounting needs root: this test must run as root (CI does)');
    const root = await makeTmpDir('remount');
    const base = path.join(root, 'store');
    const other = path.join(root, 'other');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
      fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 20);
      fillHour(other, 'chan', 'source', '2026-11-01T00', 0, 30);
      fillHour(other, 'chan', 'source', '2026-11-01T04', 0, 40);
      // the daemon in a mount namespace of its own: the test's mounts are made in it
      const d = await startDaemon(['chan', '--base-dir', base, '--output-dir', path.join(root, 'out'), '--check-interval', '3600'], {
        command: ['unshare', '--mount', '--propagation', 'private'],
      });
      try {
        await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), WAIT_MS);
        assert.equal(await counter(d, REMOUNTS), 0);
        const steps: string[] = [];

        inDaemonMounts(d, ['mount', '--bind', other, base]);
        steps.push('OTHER bind-mounted over BASE');
        // what the daemon sees at BASE is OTHER's content now (the same files)
        await waitUntilLiveMatches(d, other, ['chan'], ['source'], () => steps.join('\n'));
        assert.equal(await counter(d, REMOUNTS), 1, 'the mount was counted');
        assert.match(d.stderr(), /"reason":"remount".*a mount changed/);

        let updates = await counter(d, UPDATES);
        putSegment(other, 'chan', 'source', '2026-11-01T04', '50:00.000000-2.000-full-AAAA.ts');
        putSegment(other, 'chan', 'source', '2026-11-01T05', '00:00.000000-2.000-full-AAAA.ts');
        steps.push('a segment written into the mounted base, and a new hour');
        await waitUntilLiveMatches(d, other, ['chan'], ['source'], () => steps.join('\n'));
        assert.ok((await counter(d, UPDATES)) > updates, 'they came by watching the mounted base');
        assert.equal(await counter(d, REMOUNTS), 1);

        inDaemonMounts(d, ['umount', base]);
        steps.push('unmounted');
        await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => steps.join('\n'));
        assert.equal(await counter(d, REMOUNTS), 2, 'the unmount was counted');

        updates = await counter(d, UPDATES);
        putSegment(base, 'chan', 'source', '2026-11-01T01', '30:00.000000-2.000-full-AAAA.ts');
        steps.push('a segment written into the base, uncovered again');
        await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => steps.join('\n'));
        assert.ok((await counter(d, UPDATES)) > updates, 'it came by watching the base again');
        assert.equal((await scrape(d)).get('segcov_watcher_degraded'), 0);
      } finally {
        const { code } = await d.stop();
        assert.equal(code, 0, d.stderr().slice(-2000));
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a fresh volume (tmpfs, another device) mounted over the base is followed, and so is its unmount', async () => {
    assert.ok(asRoot, 'mounting needs root: this test must run as root (CI does)');
    const root = await makeTmpDir('remount-volume');
    const base = path.join(root, 'store');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
      const d = await startDaemon(['chan', '--base-dir', base, '--output-dir', path.join(root, 'out'), '--check-interval', '3600'], {
        command: ['unshare', '--mount', '--propagation', 'private'],
      });
      try {
        await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), WAIT_MS);
        inDaemonMounts(d, ['mount', '-t', 'tmpfs', 'volume', base]);
        // the base as the daemon sees it, reached from outside its mount namespace
        const seen = `/proc/${d.proc.pid}/root${base}`;
        fillHour(seen, 'chan', 'source', '2026-11-01T02', 0, 16);
        const steps = ['an empty tmpfs mounted over BASE, then an hour written into it'];
        await waitUntilLiveMatches(d, seen, ['chan'], ['source'], () => steps.join('\n'));
        assert.ok((await scrape(d)).has('raw_coverage{channel="chan",hour="2026-11-01T02",quality="source"}'));
        assert.equal(await counter(d, REMOUNTS), 1);
        inDaemonMounts(d, ['umount', base]);
        steps.push('unmounted');
        await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => steps.join('\n'));
        // the kernel itself tells every watch on a file system that goes (IN_UNMOUNT): the
        // watcher re-syncs the base on that event, so the guard need not find it
        assert.ok([1, 2].includes(await counter(d, REMOUNTS)));
        fillHour(base, 'chan', 'source', '2026-11-01T03', 0, 8);
        steps.push('an hour written into the base, uncovered again');
        await waitUntilLiveMatches(d, base, ['chan'], ['source'], () => steps.join('\n'));
        assert.equal((await scrape(d)).get('segcov_watcher_degraded'), 0);
      } finally {
        const { code } = await d.stop();
        assert.equal(code, 0, d.stderr().slice(-2000));
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
