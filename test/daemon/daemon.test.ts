import assert from 'node:assert/strict';
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseProm, startDaemon, waitFor } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

async function scrape(url: string): Promise<Map<string, number>> {
  const r = await fetch(`${url}/metrics`);
  assert.equal(r.status, 200);
  return parseProm(await r.text());
}

describe('the daemon', () => {
  it('serves /metrics and /healthz, and exits 0 within 5 s of SIGTERM', async () => {
    const base = await makeTmpDir('daemon');
    try {
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 3600, new Set([100]));
      fillHour(base, 'chan', 'source', '2026-11-01T01', 0, 20);
      const d = await startDaemon(['chan', '--base-dir', base, '--check-interval', '1', '--no-watch']);
      try {
        const m = await scrape(d.url);
        assert.equal(m.get('raw_coverage{channel="chan",hour="2026-11-01T00",quality="source"}'), 3598);
        assert.equal(m.get('raw_holes{channel="chan",hour="2026-11-01T00",quality="source"}'), 1);
        assert.equal(m.get('raw_coverage{channel="chan",hour="2026-11-01T01",quality="source"}'), 20);
        assert.ok((m.get('segcov_passes_total{channel="chan",quality="source"}') ?? 0) >= 1);
        assert.equal(
          m.get('segcov_newest_segment_end_timestamp_seconds{channel="chan",quality="source"}'),
          Date.UTC(2026, 10, 1, 1, 0, 20) / 1000,
        );
        assert.ok(m.has('process_cpu_user_seconds_total'), 'default process metrics');
        assert.ok(m.has('segcov_pass_duration_seconds{channel="chan",quality="source"}'));
        const h = await fetch(`${d.url}/healthz`);
        assert.equal(h.status, 200);

        // an hour that disappears loses its series on the next pass; a new one appears
        await rm(path.join(base, 'chan', 'source', '2026-11-01T01'), { recursive: true });
        fillHour(base, 'chan', 'source', '2026-11-01T02', 0, 4);
        await waitFor('hour 01 removed', async () => {
          const now = await scrape(d.url);
          const gone = ![...now.keys()].some((k) => k.includes('hour="2026-11-01T01"'));
          return gone && now.get('raw_coverage{channel="chan",hour="2026-11-01T02",quality="source"}') === 4 ? true : undefined;
        });
      } finally {
        const { code } = await d.stop('SIGTERM');
        assert.equal(code, 0, d.stderr());
        // A clean stop, not the 4.5 s guard's forced exit: asserted from the log, not a stopwatch.
        assert.match(d.stderr(), /"msg":"stopped"/);
        assert.doesNotMatch(d.stderr(), /still busy/);
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });

  it('survives and counts everything a store can throw at it', async () => {
    const root = await makeTmpDir('badstore');
    const base = path.join(root, 'store'); // does not exist yet
    const out = path.join(root, 'out');
    const odd = 'odd "chan" \\ ünï ✓';
    const asRoot = process.getuid?.() === 0;
    try {
      await mkdir(out, { recursive: true });
      await chmod(root, 0o777);
      await chmod(out, 0o777);
      // where we are root, the daemon drops to nobody with its own --user (as users run it), so a
      // permission error is real; it loads its code as root first, so the checkout may be unreadable
      const user = asRoot ? ['--user', '65534:65534'] : [];
      const d = await startDaemon(['chan', odd, '--base-dir', base, '--output-dir', out, '--check-interval', '1', '--no-watch', ...user]);
      try {
        let m = await scrape(d.url);
        assert.ok((m.get('segcov_store_errors_total{kind="missing_base"}') ?? 0) >= 1, 'missing base counted');

        const q = path.join(base, 'chan', 'source');
        fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 10);
        putSegment(base, 'chan', 'source', '2026-11-01T00', '99:99-2-full-AAAA.ts');
        await mkdir(path.join(q, 'not-an-hour'));
        await writeFile(path.join(q, '2026-11-01T05'), 'a file where an hour folder should be');
        await symlink(path.join(q, '2026-11-01T06'), path.join(q, '2026-11-01T06'));
        fillHour(base, 'chan', 'source', '2026-11-01T03', 0, 4);
        await chmod(path.join(q, '2026-11-01T03'), 0o000);
        await symlink(path.join(q, 'gone'), path.join(q, '2026-11-01T00', '00:20-2-suspect-AAAA.ts'));
        putSegment(base, 'chan', 'source', '2026-11-01T00', '00:20-2-suspect-BBBB.ts', 10);
        fillHour(base, odd, 'source', '2026-11-01T00', 0, 6);
        for (const dir of [root, base, path.join(base, 'chan'), q, path.join(base, odd), path.join(base, odd, 'source')])
          await chmod(dir, 0o755);
        for (const h of ['2026-11-01T00']) {
          await chmod(path.join(q, h), 0o755);
          await chmod(path.join(base, odd, 'source', h), 0o755);
        }

        m = await waitFor(
          'the store to be read',
          async () => {
            const now = await scrape(d.url);
            const done =
              now.get('raw_coverage{channel="chan",hour="2026-11-01T00",quality="source"}') === 12 &&
              now.get('segcov_store_errors_total{kind="vanished"}') === 1 &&
              [...now.keys()].some((k) => k.startsWith('raw_coverage{channel="odd'));
            return done ? now : undefined;
          },
          10_000,
        ).catch(async (e: Error) => {
          throw new Error(
            `${e.message}\n${d.stderr()}\n${[...(await scrape(d.url)).entries()].filter(([k]) => !k.startsWith('process_') && !k.startsWith('nodejs_')).join('\n')}`,
          );
        });
        const errs = (kind: string): number => m.get(`segcov_store_errors_total{kind="${kind}"}`) ?? 0;
        assert.equal(errs('bad_name'), 1);
        assert.equal(errs('skipped_folder'), 1);
        assert.equal(errs('not_a_folder'), 1);
        assert.equal(errs('vanished'), 1, 'a segment gone between listing and stat');
        assert.equal(errs('unreadable'), asRoot ? 2 : 1, 'symlink loop (and permission error when it can be made)');
        assert.equal(m.get('segment_count{channel="chan",hour="2026-11-01T00",quality="source",type="bad"}'), 1);
        const oddKey = `raw_coverage{channel="odd \\"chan\\" \\\\ ünï ✓",hour="2026-11-01T00",quality="source"}`;
        assert.equal(m.get(oddKey), 6, 'label values escaped, odd channel names work');
        assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
        assert.equal(d.proc.exitCode, null, 'still running');
      } finally {
        const { code } = await d.stop('SIGINT');
        assert.equal(code, 0, d.stderr());
      }
    } finally {
      await chmod(path.join(root, 'store', 'chan', 'source', '2026-11-01T03'), 0o755).catch(() => {});
      await rm(root, { recursive: true, force: true });
    }
  });
});
