import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pgNodeFetcher } from '../../src/nodes/pgNodes.js';
import { parseProm, startDaemon, waitFor } from '../helpers/cli.js';
import { TestPostgres } from '../helpers/postgres.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** A real PostgreSQL (throwaway cluster) holding wubloader's `nodes` table. */
describe('node list from a real PostgreSQL', () => {
  let db: TestPostgres;
  before(async () => {
    db = await TestPostgres.create();
    await db.createWubloaderDb();
    await db.sql(
      `INSERT INTO nodes (name, url, backfill_from) VALUES
      ('node-a', 'https://a.example', TRUE), ('node-b', 'https://b.example', TRUE), ('off', 'https://off.example', FALSE)`,
      'wubloader',
    );
  });
  after(async () => {
    await db?.destroy();
  });

  it('reads the nodes that are backfilled from, by key=value DSN and by URI', async () => {
    for (const dsn of [db.dsn(), db.uri()]) {
      const rows = await pgNodeFetcher(dsn)();
      assert.deepEqual(rows.map((r) => `${r.name} ${r.url}`).sort(), ['node-a https://a.example', 'node-b https://b.example'], dsn);
    }
  });

  it('rejects (for the caller to count) when the database is missing', async () => {
    await assert.rejects(pgNodeFetcher(db.dsn('no_such_db'))(), /no_such_db/);
  });

  it('the daemon keeps serving and keeps the last node list while the database is down', async () => {
    const root = await makeTmpDir('pgdaemon');
    const base = path.join(root, 'store');
    await mkdir(base, { recursive: true });
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    await chmod(root, 0o777);
    const page = path.join(base, 'coverage-maps', 'chan_source_coverage.html');
    const d = await startDaemon([
      'chan',
      '--base-dir',
      base,
      '--make-page',
      '--connection-string',
      db.dsn(),
      '--check-interval',
      '1',
      '--no-watch',
    ]);
    const scrape = async (): Promise<Map<string, number>> => parseProm(await (await fetch(`${d.url}/metrics`)).text());
    try {
      await waitFor(
        'page with both nodes',
        async () => {
          const html = await readFile(page, 'utf8').catch(() => '');
          return html.includes('https://b.example/segments/coverage-maps/chan_source_coverage.png') ? html : undefined;
        },
        60_000,
      );
      const errorsBefore = (await scrape()).get('segcov_errors_total{kind="node_list"}') ?? 0;

      await db.stop();
      await waitFor(
        'a failed read counted',
        async () => (((await scrape()).get('segcov_errors_total{kind="node_list"}') ?? 0) > errorsBefore ? true : undefined),
        60_000,
      );
      // still serving, still the last list on the page (rewritten after the failure)
      const html = await readFile(page, 'utf8');
      assert.match(html, /https:\/\/a\.example\/segments\/coverage-maps\/chan_source_coverage\.png/);
      assert.equal(d.proc.exitCode, null, 'the daemon is still running');
      assert.match(d.stderr(), /cannot read the node list/);

      await db.start();
      await db.sql("UPDATE nodes SET backfill_from = FALSE WHERE name = 'node-b'", 'wubloader');
      await waitFor(
        'page without node-b once the database is back',
        async () => {
          const h = await readFile(page, 'utf8').catch(() => '');
          return h.includes('https://a.example/') && !h.includes('https://b.example/') ? true : undefined;
        },
        60_000,
      );
      assert.ok(((await scrape()).get('log_count_total{level="ERROR"}') ?? 0) >= 1, 'error lines counted by level');
    } finally {
      await d.stop();
      await rm(root, { recursive: true, force: true });
    }
  });
});
