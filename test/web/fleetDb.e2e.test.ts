import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, runCli, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { TestPostgres } from '../helpers/postgres.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { buildStore, type StoreSpec } from './helpers/webFixture.js';

/**
 * The database's nodes join the fleet. node-b is a wubloader node: only its output folder
 * is reachable, under `/segments/` (as wubloader's nginx serves it), where its
 * `--make-page` wrote `spans.json`. node-a reads wubloader's `nodes` table from a real
 * PostgreSQL, and its fleet view and holes API then name node-b as holding its hole.
 * The table also lists node-a itself, which must not become its own peer.
 */
const HOUR = '2026-11-01T07';
const spec = (withHole: boolean): StoreSpec => ({
  chan: {
    source: {
      [HOUR]: withHole
        ? [
            [0, 600, 60, 'full'],
            [900, 3600, 60, 'full'],
          ]
        : [[0, 3600, 60, 'full']],
    },
  },
});
const DEADLINE = 60_000;

describe('fleet peers from the wubloader database', () => {
  let db: TestPostgres;
  let dirs: string[] = [];
  let nginx: http.Server;
  let a: RunningDaemon;

  before(async () => {
    const storeA = await makeTmpDir('fleetdb-a');
    const storeB = await makeTmpDir('fleetdb-b');
    dirs = [storeA, storeB];
    await buildStore(storeA, spec(true));
    await buildStore(storeB, spec(false));
    // node-b: one --make-page pass writes its maps, pages and spans.json into its output folder.
    const b = await runCli(['chan', '--base-dir', storeB, '--make-page', '--run-once', '--node-name', 'node-b', '--log-level', 'warn'], {
      env: cleanEnv(),
    });
    assert.equal(b.code, 0, b.stderr);
    // wubloader's nginx, reduced to what matters: the store under /segments/.
    nginx = http.createServer((q, s) => {
      const rel = decodeURIComponent(new URL(q.url ?? '/', 'http://x').pathname);
      if (!rel.startsWith('/segments/') || rel.includes('..')) {
        s.writeHead(404);
        s.end();
        return;
      }
      readFile(path.join(storeB, rel.slice('/segments/'.length))).then(
        (body) => {
          s.writeHead(200, { 'content-type': rel.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
          s.end(body);
        },
        () => {
          s.writeHead(404);
          s.end();
        },
      );
    });
    await new Promise<void>((r) => nginx.listen(0, '127.0.0.1', r));
    const nginxUrl = `http://127.0.0.1:${(nginx.address() as AddressInfo).port}`;
    db = await TestPostgres.create();
    await db.createWubloaderDb();
    await db.sql(
      `INSERT INTO nodes (name, url, backfill_from) VALUES ('node-a', 'http://127.0.0.1:9', TRUE), ('node-b', '${nginxUrl}', TRUE)`,
      'wubloader',
    );
    a = await startDaemon(
      [
        'chan',
        '--base-dir',
        storeA,
        '--make-page',
        '--connection-string',
        db.dsn(),
        '--node-name',
        'node-a',
        '--peer-poll-ms',
        '300',
        '--check-interval',
        '1',
        '--no-watch',
        '--log-level',
        'warn',
      ],
      { readyTimeoutMs: DEADLINE },
    );
  });

  after(async () => {
    await a?.stop();
    nginx?.close();
    await db?.destroy();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('node-a asks node-b (read from the database) for its spans.json, not itself, and names it as holding the hole', async () => {
    const view = await waitFor(
      "node-b up in node-a's fleet view",
      async () => {
        const v = (await (await fetch(`${a.url}/api/v1/fleet`)).json()) as {
          peers: { node: string; state: string; url: string }[];
          qualities: { fleet: { hole_us: number; local_only_hole_us: number } }[];
        };
        return v.peers.some((p) => p.node === 'node-b' && p.state === 'up') ? v : undefined;
      },
      DEADLINE,
    );
    assert.deepEqual(
      view.peers.map((p) => p.node),
      ['node-b'],
      "the database's node-a is this node",
    );
    assert.match(view.peers[0].url, /\/segments\/coverage-maps\/index\.html$/);
    assert.deepEqual(view.qualities[0].fleet, { ...view.qualities[0].fleet, hole_us: 0, local_only_hole_us: 300_000_000 });
    const holes = (await (await fetch(`${a.url}/api/v1/holes?channel=chan&quality=source&peers=1`)).json()) as {
      holes: { holes: { start: string; peers: { node: string; cover: string }[] }[] }[];
    };
    assert.deepEqual(
      holes.holes[0].holes.map((h) => [h.start, h.peers.map((p) => `${p.node} ${p.cover}`)]),
      [['2026-11-01T07:10:00.000000Z', ['node-b full']]],
    );
  });
});
