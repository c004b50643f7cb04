import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GAUGE_NAMES } from '../../src/coverage/gauges.js';
import { startHttpServer, type HttpServerHandle } from '../../src/outputs/http/httpServer.js';
import { mapFileName } from '../../src/store/layout.js';
import { webRoutes } from '../../src/web/routes.js';
import { makeFixture, ODD_CHANNEL, SAMPLE_NOW_MS, SAMPLE_SPEC, type Fixture } from './helpers/webFixture.js';
import { createWebContext } from '../../src/web/context.js';

interface Reply {
  status: number;
  type: string;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
}

/** A raw GET: the path goes on the wire exactly as given (no client-side normalising). */
function get(port: number, rawPath: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const json = (r: Reply): Record<string, unknown> => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

describe('web routes over HTTP', () => {
  let fx: Fixture;
  let server: HttpServerHandle;
  let outside: string;
  const SECRET = 'outside-the-output-folder';

  before(async () => {
    fx = await makeFixture(SAMPLE_SPEC, { peers: { 'node-b': 'http://192.0.2.7:8006/' } });
    server = await startHttpServer(
      '127.0.0.1',
      0,
      webRoutes(createWebContext({ state: fx.state, config: fx.config, now: () => SAMPLE_NOW_MS })),
      (e) => {
        throw e;
      },
    );
    // A file next to the output folder, and links to it planted inside under map names.
    outside = path.join(fx.base, 'secret.png');
    await writeFile(outside, SECRET);
    await symlink(outside, path.join(fx.config.outputDir, mapFileName(ODD_CHANNEL, '480p')));
    await mkdir(path.join(fx.config.outputDir, 'sub'));
  });

  after(async () => {
    await server?.close();
    if (fx !== undefined) await rm(fx.base, { recursive: true, force: true });
  });

  it('/ is the HTML page with a strict CSP: own images and connections only (peers are asked by the daemon)', async () => {
    const r = await get(server.port, '/');
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/html/);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /img-src 'self' data:;/);
    assert.match(csp, /connect-src 'self';/);
    assert.ok(!csp.includes('192.0.2.7'), 'no peer origin in the CSP');
    assert.equal(r.headers['access-control-allow-origin'], undefined, 'no CORS');
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    const html = r.body.toString('utf8');
    // the hash the build computed is the served script's (the browser would block it otherwise)
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    assert.ok(script.length > 1000, 'the page carries its inline script');
    assert.ok(
      csp.includes(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}';`),
      'the CSP allows the inline script by its hash',
    );
    assert.ok(!html.includes('<img src=x'), 'channel name is escaped');
    assert.ok(html.includes('"channel":"\\u003cimg src=x onerror=alert(1)>'), 'the odd name is in the data, its < escaped');
    assert.ok(html.includes('"src":"maps/desertbus_source_coverage.png?v=1000"'));
  });

  it('/maps/ serves a map file byte for byte', async () => {
    const r = await get(server.port, '/maps/desertbus_source_coverage.png');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'image/png');
    assert.deepEqual(r.body, await readFile(path.join(fx.config.outputDir, 'desertbus_source_coverage.png')));
    const head = await get(server.port, '/maps/desertbus_source_coverage.png', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers['content-length']), r.body.length);
  });

  it('/maps/ serves a map whose name needs percent-encoding', async () => {
    const r = await get(server.port, `/maps/${encodeURIComponent(mapFileName(ODD_CHANNEL, 'source'))}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.subarray(1, 4).toString(), 'PNG');
  });

  it('/maps/ reaches nothing outside the output folder, whatever the request', async () => {
    const attempts = [
      '/maps/../secret.png',
      '/maps/%2e%2e/secret.png',
      '/maps/%2e%2e%2fsecret.png',
      '/maps/%2E%2E%2Fsecret.png',
      '/maps/..%2fsecret.png',
      '/maps/..%5csecret.png',
      '/maps/%252e%252e%252fsecret.png',
      '/maps//etc/passwd',
      '/maps/%2fetc%2fpasswd',
      `/maps/${encodeURIComponent(outside)}`,
      '/maps/%00desertbus_source_coverage.png',
      '/maps/desertbus_source_coverage.png%00.png',
      '/maps/sub/../desertbus_source_coverage.png/..%2f..%2fsecret.png',
      '/maps/.',
      '/maps/%2e',
      '/maps/',
      '/maps/sub',
      '/maps/..;/secret.png',
      '/maps/%c0%ae%c0%ae/secret.png',
      '/maps/%',
      // A map name that is a symlink to a file outside: not followed.
      `/maps/${encodeURIComponent(mapFileName(ODD_CHANNEL, '480p'))}`,
      // Not a map of a configured channel and quality, even though it is in the folder.
      '/maps/secret.png',
      '/maps/index.html',
    ];
    await writeFile(path.join(fx.config.outputDir, 'index.html'), 'x');
    for (const p of attempts) {
      const r = await get(server.port, p);
      assert.ok(r.status === 404 || r.status === 400, `${p}: status ${r.status}`);
      assert.ok(!r.body.toString('utf8').includes(SECRET), `${p}: leaked the file outside`);
      assert.ok(!r.body.toString('utf8').includes('root:'), `${p}: leaked /etc/passwd`);
    }
    const bad = await get(server.port, '/maps/%');
    assert.equal(bad.status, 400);
  });

  it('/api/v1/coverage has every §4 figure per channel, quality and hour', async () => {
    const r = await get(server.port, '/api/v1/coverage');
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/json/);
    const body = json(r) as {
      ready: boolean;
      channels: {
        channel: string;
        qualities: { quality: string; window: { coverage_percent: number } | null; hours: Record<string, unknown>[] }[];
      }[];
    };
    assert.equal(body.ready, true);
    assert.deepEqual(
      body.channels.map((c) => c.channel),
      ['desertbus', ODD_CHANNEL],
    );
    const src = body.channels[0].qualities[0];
    assert.equal(src.quality, 'source');
    assert.deepEqual(
      src.hours.map((h) => h.hour),
      ['2026-11-01T05', '2026-11-01T06', '2026-11-01T07'],
    );
    for (const h of src.hours) for (const name of GAUGE_NAMES) assert.ok(name in h, `${String(h.hour)}: ${name}`);
    const h06 = src.hours[1];
    assert.deepEqual(h06.segment_count, { full: 297, suspect: 0, partial: 60, bad: 0 });
    assert.equal(h06.raw_holes, 1);
    assert.equal(h06.raw_hole_duration, 30);
    assert.equal(h06.raw_coverage, 3570);
    assert.deepEqual(h06.overlap_count, { full: 0, suspect: 0, partial: 0 });
    // (3600 + 3570 + 2700) s covered of 2 h 50 min 5 s.
    assert.equal(src.window?.coverage_percent, (9870 / 10200) * 100);
    const odd480 = body.channels[1].qualities[1];
    assert.equal(odd480.window, null);
    assert.deepEqual(odd480.hours, []);
  });

  it('/api/v1/coverage filters by channel and quality', async () => {
    const r = await get(server.port, `/api/v1/coverage?channel=${encodeURIComponent(ODD_CHANNEL)}&quality=source`);
    const body = json(r) as { channels: { channel: string; qualities: { quality: string }[] }[] };
    assert.deepEqual(
      body.channels.map((c) => [c.channel, c.qualities.map((q) => q.quality)]),
      [[ODD_CHANNEL, ['source']]],
    );
  });

  it('/api/v1/holes gives raw and editable holes as UTC intervals, filtered by time', async () => {
    const r = await get(server.port, '/api/v1/holes?channel=desertbus&quality=source');
    assert.equal(r.status, 200);
    const body = json(r) as { holes: { channel: string; quality: string; raw_holes: unknown[]; editable_holes: unknown[] }[] };
    assert.equal(body.holes.length, 1);
    assert.deepEqual(body.holes[0].raw_holes, [
      { start: '2026-11-01T06:10:00.000000Z', end: '2026-11-01T06:10:30.000000Z', duration: 30, hour: '2026-11-01T06' },
      { start: '2026-11-01T07:20:00.000000Z', end: '2026-11-01T07:25:00.000000Z', duration: 300, hour: '2026-11-01T07' },
    ]);
    assert.deepEqual(body.holes[0].editable_holes, body.holes[0].raw_holes);
    const since = await get(server.port, '/api/v1/holes?channel=desertbus&since=2026-11-01T07:00Z&until=2026-11-01T08');
    const b2 = json(since) as { since: string; until: string; holes: { quality: string; raw_holes: { start: string }[] }[] };
    assert.equal(b2.since, '2026-11-01T07:00:00.000000Z');
    assert.equal(b2.until, '2026-11-01T08:00:00.000000Z');
    assert.deepEqual(
      b2.holes.map((x) => [x.quality, x.raw_holes.map((h) => h.start)]),
      [
        ['source', ['2026-11-01T07:20:00.000000Z']],
        ['480p', []],
      ],
    );
    // A hole that straddles `since` is reported whole.
    const straddle = json(await get(server.port, '/api/v1/holes?channel=desertbus&quality=source&since=2026-11-01T07:22:00Z')) as {
      holes: { raw_holes: { start: string }[] }[];
    };
    assert.deepEqual(
      straddle.holes[0].raw_holes.map((h) => h.start),
      ['2026-11-01T07:20:00.000000Z'],
    );
  });

  it('/api/v1/holes: each pair has its state and reason; order=length lists the longest first (default: time)', async () => {
    type Body = {
      order: string;
      holes: {
        quality: string;
        state: string;
        reason: string;
        raw_holes: { start: string }[];
        editable_holes: { start: string }[];
        holes?: { start: string }[];
      }[];
    };
    const byTime = json(await get(server.port, '/api/v1/holes?channel=desertbus')) as Body;
    assert.equal(byTime.order, 'time');
    assert.deepEqual(
      byTime.holes.map((x) => [x.quality, x.state, x.reason]),
      [
        ['source', 'bad', 'long hole of 5 min 00 s'],
        ['480p', 'ok', 'no hole'],
      ],
    );
    const byLength = json(await get(server.port, '/api/v1/holes?channel=desertbus&quality=source&order=length')) as Body;
    assert.equal(byLength.order, 'length');
    assert.deepEqual(
      byLength.holes[0].raw_holes.map((h) => h.start),
      ['2026-11-01T07:20:00.000000Z', '2026-11-01T06:10:00.000000Z'],
    );
    assert.deepEqual(
      byLength.holes[0].editable_holes.map((h) => h.start),
      ['2026-11-01T07:20:00.000000Z', '2026-11-01T06:10:00.000000Z'],
    );
    const withPeers = json(await get(server.port, '/api/v1/holes?channel=desertbus&quality=source&order=length&peers=1')) as Body;
    assert.deepEqual(
      withPeers.holes[0].holes?.map((h) => h.start),
      ['2026-11-01T07:20:00.000000Z', '2026-11-01T06:10:00.000000Z'],
    );
    assert.equal(withPeers.holes[0].state, 'bad');
    const time = json(await get(server.port, '/api/v1/holes?channel=desertbus&quality=source&order=time')) as Body;
    assert.deepEqual(
      time.holes[0].raw_holes.map((h) => h.start),
      ['2026-11-01T06:10:00.000000Z', '2026-11-01T07:20:00.000000Z'],
    );
    const cov = json(await get(server.port, '/api/v1/coverage?channel=desertbus')) as {
      channels: { qualities: { state: string; reason: string; recorded: unknown; window_misses_recording: boolean }[] }[];
    };
    assert.deepEqual(
      cov.channels[0].qualities.map((q) => [q.state, q.reason, q.window_misses_recording]),
      [
        ['bad', 'long hole of 5 min 00 s', false],
        ['ok', 'no hole', false],
      ],
    );
    assert.deepEqual(cov.channels[0].qualities[0].recorded, { start: '2026-11-01T05:00:00.000000Z', end: '2026-11-01T07:50:00.000000Z' });
  });

  it('bad API parameters get 400 with a JSON error', async () => {
    const bad = [
      '/api/v1/holes?since=yesterday',
      '/api/v1/holes?until=2026-13-01',
      '/api/v1/holes?since=2026-11-01T08&until=2026-11-01T07',
      '/api/v1/holes?channel=nope',
      '/api/v1/holes?channel=desertbus&quality=4k',
      '/api/v1/holes?foo=1',
      '/api/v1/holes?channel=desertbus&channel=desertbus',
      '/api/v1/holes?since=',
      '/api/v1/coverage?since=2026-11-01T07',
      '/api/v1/coverage?channel=../etc',
      '/api/v1/coverage?x',
      '/api/v1/holes?order=size',
      '/api/v1/holes?order=length&order=time',
      '/api/v1/coverage?order=length',
    ];
    for (const p of bad) {
      const r = await get(server.port, p);
      assert.equal(r.status, 400, p);
      assert.match(r.type, /^application\/json/, p);
      const e = json(r);
      assert.equal(typeof e.error, 'string', p);
      assert.ok((e.error as string).length > 0, p);
    }
  });

  it('unknown paths are 404', async () => {
    assert.equal((await get(server.port, '/nope')).status, 404);
    assert.equal((await get(server.port, '/api/v1/other')).status, 404);
  });
});
