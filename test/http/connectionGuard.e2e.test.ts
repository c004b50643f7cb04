/**
 * Who may hold the HTTP server's connections (ConnectionGuard through startHttpServer):
 * idle connections make room, one address holds its share only, and scrapes keep a
 * reserve that nothing else can use. Clients come from several loopback addresses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { clientKey } from '../../src/outputs/http/clientAddress.js';
import type { ShedReason } from '../../src/config/httpLimits.js';
import { startHttpServer, type HttpServerHandle, type Route } from '../../src/outputs/http/httpServer.js';
import { sendText } from '../../src/outputs/http/responses.js';
import { loadWebConfig } from '../../src/outputs/http/webConfig.js';
import { waitFor } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { hold, keepAliveGet, type Held } from './heldSockets.js';
import { rawRequest, type RawReply } from './rawHttp.js';
import { makeCerts } from './tlsFixture.js';

const answering = (res: import('node:http').ServerResponse): void => {
  res.writeHead(200);
  res.write('held\n');
};
const ROUTES: Route[] = [
  { path: '/metrics', reserved: true, handle: (_req, res) => sendText(res, 200, 'metrics\n') },
  { path: '/slow-metrics', reserved: true, handle: (_req, res) => answering(res) },
  { path: '/ok', handle: (_req, res) => sendText(res, 200, 'ok\n') },
  { path: '/hold', handle: (_req, res) => answering(res) },
];
/** 8 general connections, 3 a client, 4 in reserve. */
const LIMITS = { maxConnections: 12, scrapeReserve: 4, perClient: 3 };

interface Server {
  readonly s: HttpServerHandle;
  readonly shed: Map<ShedReason, number>;
  readonly held: Held[];
  get(path: string, from: string, extra?: string): Promise<RawReply>;
  /** Connections from `from` answering requests (they keep their place). */
  busy(n: number, from: string, path?: string): Promise<void>;
  done(): Promise<void>;
}

async function server(
  options: Parameters<typeof startHttpServer>[4] = {},
  tlsOpts?: import('node:tls').ConnectionOptions,
): Promise<Server> {
  const shed = new Map<ShedReason, number>();
  const s = await startHttpServer(
    '127.0.0.1',
    0,
    ROUTES,
    (e) => {
      throw e;
    },
    {
      limits: LIMITS,
      observer: { shed: (r) => shed.set(r, (shed.get(r) ?? 0) + 1) },
      ...options,
    },
  );
  const held: Held[] = [];
  return {
    s,
    shed,
    held,
    get: (p, from, extra = '') =>
      rawRequest(s.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`, { localAddress: from, tls: tlsOpts }),
    busy: async (n, from, p = '/hold') => {
      for (let i = 0; i < n; i++)
        held.push(await hold(s.port, { localAddress: from, bytes: keepAliveGet(p), until: 'held\n', tls: tlsOpts }));
    },
    done: async () => {
      for (const h of held) h.socket.destroy();
      await s.close();
    },
  };
}

describe("the HTTP server's connection limits", () => {
  it('a client at its share: its least recently used idle connection is closed for its new one', async () => {
    const t = await server();
    try {
      for (let i = 0; i < 3; i++) t.held.push(await hold(t.s.port, { localAddress: '127.0.0.2' }));
      await waitFor('three idle connections counted', async () => (t.s.connections().general === 3 ? true : undefined));
      assert.equal((await t.get('/ok', '127.0.0.2')).status, 200);
      await t.held[0].closed;
      assert.deepEqual(
        t.held.map((h) => h.isClosed()),
        [true, false, false],
        'only the oldest idle one is closed',
      );
      assert.equal(t.shed.get('idle_closed'), 1);
    } finally {
      await t.done();
    }
  });

  it('a client whose share is answering can still scrape, over the reserve, and nothing else; another client is served', async () => {
    const t = await server();
    try {
      await t.busy(3, '127.0.0.2');
      assert.equal((await t.get('/metrics', '127.0.0.2')).status, 200, 'a scrape from the same address');
      const refused = await t.get('/ok', '127.0.0.2');
      assert.equal(refused.status, 503, refused.head);
      assert.equal(refused.headers['retry-after'], '10');
      const stream = await t.get('/ok', '127.0.0.2', 'Accept: text/event-stream\r\n');
      assert.equal(stream.status, 200, 'an EventSource is told to come back (it gives up on a 503)');
      assert.match(stream.body, /^retry: 10000$/m);
      assert.equal(t.shed.get('reserve_only'), 2);
      assert.equal((await t.get('/ok', '127.0.0.3')).status, 200, 'another address has its own share');
    } finally {
      await t.done();
    }
  });

  it('with every general connection answering, a new client gets the reserve: scrapes only', async () => {
    const t = await server();
    try {
      await t.busy(3, '127.0.0.2');
      await t.busy(3, '127.0.0.3');
      await t.busy(2, '127.0.0.4');
      assert.deepEqual(t.s.connections(), { general: 8, reserve: 0 });
      assert.equal((await t.get('/metrics', '127.0.0.5')).status, 200);
      assert.equal((await t.get('/ok', '127.0.0.5')).status, 503);
    } finally {
      await t.done();
    }
  });

  it('a reserve of idle connections makes room for a scrape; a reserve of answering ones closes the newcomer at once', async () => {
    const t = await server();
    try {
      await t.busy(3, '127.0.0.2');
      await t.busy(3, '127.0.0.3');
      await t.busy(2, '127.0.0.4');
      const idle: Held[] = [];
      for (let i = 0; i < 4; i++) idle.push(await hold(t.s.port, { localAddress: '127.0.0.2' }));
      t.held.push(...idle);
      await waitFor('the reserve full', async () => (t.s.connections().reserve === 4 ? true : undefined));
      assert.equal((await t.get('/metrics', '127.0.0.2')).status, 200, 'a scrape in the place of an idle one');
      await idle[0].closed;
      for (const h of idle) h.socket.destroy();
      await waitFor('the idle ones gone', async () => (t.s.connections().reserve === 0 ? true : undefined));
      await t.busy(4, '127.0.0.6', '/slow-metrics');
      const refusedBefore = t.shed.get('refused') ?? 0;
      const r = await t.get('/metrics', '127.0.0.7');
      assert.equal(r.dropped, true, `nothing to close: the new connection is closed at once (got ${r.head})`);
      assert.equal(t.shed.get('refused'), refusedBefore + 1);
      assert.deepEqual(t.s.connections(), { general: 8, reserve: 4 });
    } finally {
      await t.done();
    }
  });

  it('over TLS the same: a client whose share is answering can scrape and nothing else', async () => {
    const dir = await makeTmpDir('guard-tls');
    try {
      const certs = await makeCerts(dir);
      const file = path.join(dir, 'web.yml');
      await writeFile(file, `tls_server_config:\n  cert_file: ${certs.serverCert}\n  key_file: ${certs.serverKey}\n`);
      const t = await server({ webConfig: loadWebConfig(file) }, { ca: readFileSync(certs.ca), servername: 'localhost' });
      try {
        await t.busy(3, '127.0.0.2');
        assert.equal((await t.get('/metrics', '127.0.0.2')).status, 200);
        assert.equal((await t.get('/ok', '127.0.0.2')).status, 503);
        assert.equal((await t.get('/ok', '127.0.0.3')).status, 200);
      } finally {
        await t.done();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('clientKey', () => {
  it('an IPv4 address as it is, mapped or not; an IPv6 address by its /64', () => {
    assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2::9'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002:ffff::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey(undefined), '');
  });
});
