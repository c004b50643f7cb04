import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fleetFigures } from '../../src/daemon/fleetFigures.js';
import { startHttpServer, type HttpServerHandle } from '../../src/outputs/http/httpServer.js';
import { createWebContext, type WebContext } from '../../src/web/context.js';
import type { FleetView } from '../../src/web/fleetView.js';
import { FleetSource } from '../../src/web/fleetSource.js';
import { parseNodeSpans, type NodeSpans } from '../../src/web/nodeSpans.js';
import { apiTarget, folderTarget, PeerFetcher } from '../../src/web/peerFetcher.js';
import { webRoutes } from '../../src/web/routes.js';
import { SPANS_FILE_NAME, writeStaticPage } from '../../src/web/staticPage.js';
import { hourUs, makeFixture, SAMPLE_NOW_MS, SAMPLE_SPEC, SECOND_US, type Fixture, type StoreSpec } from './helpers/webFixture.js';

/** node-b has all of desertbus/source 06 but 20:00–21:00, and 07 up to 07:50. */
const PEER_SPEC: StoreSpec = {
  desertbus: {
    source: {
      '2026-11-01T06': [
        [0, 1200, 10, 'full'],
        [1260, 3600, 10, 'full'],
      ],
      '2026-11-01T07': [[0, 3000, 10, 'full']],
    },
  },
};

async function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
}

describe('fleet API (/api/v1/spans, /api/v1/fleet, /api/v1/holes?peers=1, /api/v1/events)', () => {
  let local: Fixture;
  let peer: Fixture;
  let server: HttpServerHandle;
  let peerServer: HttpServerHandle;
  let junk: http.Server;
  let ctx: WebContext;
  const now = () => SAMPLE_NOW_MS;

  before(async () => {
    peer = await makeFixture(PEER_SPEC);
    peerServer = await startHttpServer(
      '127.0.0.1',
      0,
      webRoutes(createWebContext({ state: peer.state, config: peer.config, now, nodeName: 'node-b' })),
      (e) => {
        throw e;
      },
    );
    // A "peer" that answers with something that is not the spans format.
    junk = http.createServer((_q, s) => {
      s.writeHead(200, { 'content-type': 'application/json' });
      s.end('{"v":1,"node":"x"}');
    });
    await new Promise<void>((r) => junk.listen(0, '127.0.0.1', r));
    const junkPort = (junk.address() as AddressInfo).port;
    local = await makeFixture(SAMPLE_SPEC, {
      peers: { 'node-b': `http://127.0.0.1:${peerServer.port}`, 'node-j': `http://127.0.0.1:${junkPort}` },
    });
    ctx = createWebContext({ state: local.state, config: local.config, now, nodeName: 'node-a' });
    server = await startHttpServer('127.0.0.1', 0, webRoutes(ctx), (e) => {
      throw e;
    });
    await ctx.fleet.fetcher.round();
  });

  after(async () => {
    ctx.fleet.stop();
    await server?.close();
    await peerServer?.close();
    junk?.close();
    for (const f of [local, peer]) if (f !== undefined) await rm(f.base, { recursive: true, force: true });
  });

  it('/api/v1/spans?v=1 is integer µs, and the parser a peer uses accepts it whole', async () => {
    const r = await get(server.port, '/api/v1/spans?v=1');
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body) as NodeSpans;
    assert.deepEqual(parseNodeSpans(body), body);
    const src = body.qualities.find((q) => q.channel === 'desertbus' && q.quality === 'source')!;
    const h6 = hourUs('2026-11-01T06');
    assert.deepEqual(src.holes, [
      [h6 + 600 * SECOND_US, h6 + 630 * SECOND_US],
      [hourUs('2026-11-01T07') + 1200 * SECOND_US, hourUs('2026-11-01T07') + 1500 * SECOND_US],
    ]);
    assert.deepEqual(src.partial, [[h6 + 1800 * SECOND_US, h6 + 2400 * SECOND_US]]);
    assert.equal(src.hours.length, 3);
    assert.deepEqual(src.hours[1].slice(0, 3), [h6, 3570 * SECOND_US, [[h6 + 600 * SECOND_US, h6 + 630 * SECOND_US]]]);
    assert.equal((await get(server.port, '/api/v1/spans')).status, 200, 'v defaults to 1');
    assert.equal((await get(server.port, '/api/v1/spans?v=2')).status, 400);
    assert.equal((await get(server.port, '/api/v1/spans?x=1')).status, 400);
  });

  it("a peer's answer is checked field by field", () => {
    assert.throws(() => parseNodeSpans({ v: 2 }), /version 2, expected 1/);
    assert.throws(() => parseNodeSpans({ v: 1, node: 'x', generated_at: 1.5, ready: true, qualities: [] }), /generated_at/);
    const q = {
      channel: 'c',
      quality: 'q',
      scanned: true,
      window: null,
      newest_end: null,
      covered: [[2, 1]],
      holes: [],
      partial: [],
      hours: [],
    };
    assert.throws(() => parseNodeSpans({ v: 1, node: 'x', generated_at: 1, ready: true, qualities: [q] }), /covered\[0\]/);
  });

  it('/api/v1/fleet lines up the peers; a peer that answers junk is down with the reason', async () => {
    const v = JSON.parse((await get(server.port, '/api/v1/fleet')).body) as FleetView;
    assert.deepEqual(
      v.peers.map((p) => [p.node, p.state]),
      [
        ['node-b', 'up'],
        ['node-j', 'down'],
      ],
    );
    assert.match(v.peers[1].error ?? '', /generated_at|missing/);
    const src = v.qualities.find((q) => q.channel === 'desertbus' && q.quality === 'source')!;
    assert.deepEqual(
      src.nodes.map((n) => [n.node, n.state]),
      [
        ['node-a', 'up'],
        ['node-b', 'up'],
        ['node-j', 'down'],
      ],
    );
    assert.equal(src.fleet.hole_us, 0, 'every hole of node-a is held by node-b');
    assert.equal(src.fleet.local_only_hole_us, 330 * SECOND_US);
    const p480 = v.qualities.find((q) => q.channel === 'desertbus' && q.quality === '480p')!;
    assert.equal(p480.nodes[1].state, 'absent', 'node-b does not record 480p');
    assert.equal((await get(server.port, '/api/v1/fleet?x=1')).status, 400);
  });

  it("the fleet gauges' figures (computed without the view) are the fleet view's, quality by quality", async () => {
    const v = JSON.parse((await get(server.port, '/api/v1/fleet')).body) as FleetView;
    const f = await fleetFigures(ctx);
    const fromView = v.qualities.map((q) => [q.channel, q.quality, q.scanned, q.fleet.hole_us, q.fleet.local_only_hole_us]);
    const fromGauges = f.qualities.map((q) => [q.channel, q.quality, q.scanned, q.fleetHoleUs, q.localOnlyHoleUs]);
    assert.deepEqual(fromGauges, fromView);
    assert.ok(
      f.qualities.some((q) => q.localOnlyHoleUs > 0),
      'a hole a peer holds (else this proves little)',
    );
    assert.ok(
      f.qualities.some((q) => q.fleetHoleUs > 0),
      'a hole no node holds (else this proves little)',
    );
    assert.deepEqual(f.peers, [
      { node: 'node-b', up: true },
      { node: 'node-j', up: false },
    ]);
  });

  it('/api/v1/holes?peers=1 names the peer that holds each hole', async () => {
    const r = await get(server.port, '/api/v1/holes?channel=desertbus&quality=source&peers=1');
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body) as {
      holes: {
        holes: { start: string; duration: number; peers: { node: string; cover: string; covered: number }[] }[];
        fleet_hole_duration: number;
      }[];
    };
    assert.deepEqual(
      body.holes[0].holes.map((h) => [h.start, h.duration, h.peers]),
      [
        ['2026-11-01T06:10:00.000000Z', 30, [{ node: 'node-b', cover: 'full', covered: 30 }]],
        ['2026-11-01T07:20:00.000000Z', 300, [{ node: 'node-b', cover: 'full', covered: 300 }]],
      ],
    );
    assert.equal(body.holes[0].fleet_hole_duration, 0);
    const since = await get(server.port, '/api/v1/holes?channel=desertbus&quality=source&peers=1&since=2026-11-01T07:00:00Z');
    assert.equal((JSON.parse(since.body) as typeof body).holes[0].holes.length, 1);
    assert.equal((await get(server.port, '/api/v1/holes?peers=2')).status, 400);
    assert.equal((await get(server.port, '/api/v1/holes?peers=1&peers=1')).status, 400);
    const plain = JSON.parse((await get(server.port, '/api/v1/holes?channel=desertbus&quality=source')).body) as {
      holes: Record<string, unknown>[];
    };
    assert.equal(plain.holes[0].holes, undefined, 'without peers=1 the answer is as before');
  });

  it('/api/v1/events sends the page data at once, then again after a change', async () => {
    const ctl = new AbortController();
    const r = await fetch(`http://127.0.0.1:${server.port}/api/v1/events`, { signal: ctl.signal });
    assert.equal(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const next = async (): Promise<{ maps: unknown[]; qualities: unknown[] }> => {
      for (;;) {
        const i = buf.indexOf('\n\n');
        if (i >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data !== undefined) {
            assert.match(block, /^id: \d+\nevent: fleet\n/m);
            return JSON.parse(data.slice(6)) as { maps: unknown[]; qualities: unknown[] };
          }
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += dec.decode(value, { stream: true });
      }
    };
    const first = await next();
    assert.equal(first.qualities.length, first.maps.length);
    // A change of the state (as the live mode makes) sends the next event.
    const s = local.state.get('desertbus', '480p')!;
    local.state.set({ ...s, updatedAt: s.updatedAt + 1 });
    const second = await next();
    assert.ok(JSON.stringify(second).includes(`480p_coverage.png?v=${s.updatedAt + 1}`));
    ctl.abort();
  });

  it('a node list that names this node does not make it its own peer', () => {
    const f = new FleetSource({
      state: local.state,
      pairs: () => [],
      peers: () => ({ 'node-a': apiTarget('http://127.0.0.1:1'), 'node-b': apiTarget('http://127.0.0.1:2') }),
      nodeName: 'node-a',
    });
    assert.deepEqual(
      f.fetcher.snapshot().map((p) => p.name),
      ['node-b'],
    );
  });

  it('an answer over the size limit makes the peer down, without reading it all', async () => {
    const f = new PeerFetcher({ peers: () => ({ big: apiTarget(`http://127.0.0.1:${peerServer.port}`) }), maxBytes: 100 });
    await f.round();
    const [p] = f.snapshot();
    assert.equal(p.state, 'down');
    assert.equal(p.error, 'answer is over 100 bytes');
  });

  it('a database node is read from the spans.json the static page writes beside its maps', async () => {
    await writeStaticPage(createWebContext({ state: peer.state, config: peer.config, now, nodeName: 'node-b' }));
    const file = path.join(peer.config.outputDir, SPANS_FILE_NAME);
    const fileServer = http.createServer((q, s) => {
      if (q.url !== '/segments/coverage-maps/spans.json') {
        s.writeHead(404);
        s.end();
        return;
      }
      void readFile(file).then((b) => {
        s.writeHead(200, { 'content-type': 'application/json' });
        s.end(b);
      });
    });
    await new Promise<void>((r) => fileServer.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
      const f = new FleetSource({
        state: local.state,
        pairs: () => [['desertbus', 'source']],
        nodeName: 'node-a',
        now,
        peers: () => ({ 'node-db': folderTarget(`${base}/segments/coverage-maps`) }),
      });
      await f.fetcher.round();
      const v = f.view();
      assert.deepEqual(
        v.peers.map((p) => [p.node, p.state, p.url]),
        [['node-db', 'up', `${base}/segments/coverage-maps/index.html`]],
      );
      assert.equal(v.qualities[0].fleet.hole_us, 0, 'node-db holds every hole of node-a');
    } finally {
      fileServer.close();
    }
  });
});
