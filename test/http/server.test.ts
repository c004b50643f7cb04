/**
 * The HTTP server's own guarantees: handler failures (synchronous throws and rejections)
 * become a 500 and are reported; every answer, errors included, carries the security
 * headers; the limits are set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, sendText, startHttpServer, type HttpServerHandle } from '../../src/outputs/http/httpServer.js';
import { SECURITY_HEADERS } from '../../src/outputs/http/securityHeaders.js';
import { WAIT_MS } from '../helpers/cli.js';
import { rawGet, rawRequest } from './rawHttp.js';

describe('HTTP server', () => {
  let server: HttpServerHandle;
  const errors: unknown[] = [];

  before(async () => {
    server = await startHttpServer('127.0.0.1', 0, [
      { path: '/ok', handle: (_req, res) => sendText(res, 200, 'ok\n') },
      { path: '/sync-throw', handle: () => { throw new RangeError('Invalid time value'); } },
      { path: '/async-throw', handle: async () => { await Promise.resolve(); throw new Error('later'); } },
      { path: '/half', handle: (_req, res) => { res.writeHead(200); res.write('part'); throw new Error('after the head'); } },
    ], (e) => errors.push(e));
  });

  after(async () => server?.close());

  it('a synchronous throw in a handler is a 500, reported, and the server keeps serving', async () => {
    const r = await rawGet(server.port, '/sync-throw');
    assert.equal(r.status, 500);
    assert.ok(errors.some((e) => e instanceof RangeError), 'the error reached onError');
    assert.equal((await rawGet(server.port, '/ok')).status, 200);
  });

  it('a rejected handler is a 500 and reported', async () => {
    const before = errors.length;
    const r = await rawGet(server.port, '/async-throw');
    assert.equal(r.status, 500);
    assert.equal(errors.length, before + 1);
    assert.equal((errors.at(-1) as Error).message, 'later');
  });

  it('a handler failing after the head was sent cuts the connection (no second head) and is reported', async () => {
    const before = errors.length;
    const r = await rawGet(server.port, '/half');
    assert.notEqual(r.status, 500, 'no 500 head after a 200 head');
    assert.equal(errors.length, before + 1);
    assert.equal((await rawGet(server.port, '/ok')).status, 200);
  });

  for (const [what, bytes, status] of [
    ['200', 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 200],
    ['404', 'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
    ['405', 'POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', 405],
    ['400 (bad target)', 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
    ['400 (parser)', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n', 400],
    ['431 (huge head)', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['500', 'GET /sync-throw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 500],
  ] as const) {
    it(`a ${what} carries the security headers`, async () => {
      const r = await rawRequest(server.port, bytes);
      assert.equal(r.status, status, r.head);
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(r.headers[k], v, `${k} on a ${what}`);
    });
  }

  it('has finite timeouts and a connection cap', () => {
    assert.ok(DEFAULT_LIMITS.headersTimeout > 0 && DEFAULT_LIMITS.headersTimeout <= DEFAULT_LIMITS.requestTimeout);
    assert.ok(DEFAULT_LIMITS.keepAliveTimeout > 0 && DEFAULT_LIMITS.keepAliveTimeout <= 60_000);
    assert.ok(DEFAULT_LIMITS.maxConnections > 0 && Number.isFinite(DEFAULT_LIMITS.maxConnections));
  });
});

describe('HTTP server limits', () => {
  it('connections beyond maxConnections are closed at once while the ones within are served', async () => {
    const s = await startHttpServer('127.0.0.1', 0, [{ path: '/ok', handle: (_req, res) => sendText(res, 200, 'ok\n') }], () => {}, { limits: { maxConnections: 2 } });
    const net = await import('node:net');
    const held = await Promise.all([0, 1].map(() => new Promise<import('node:net').Socket>((resolve) => {
      const c = net.connect(s.port, '127.0.0.1', () => resolve(c));
    })));
    try {
      // The server counts a connection once it has accepted it; wait until both are counted.
      const extra = await rawRequest(s.port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal(extra.dropped, true, `third connection should be dropped, got ${extra.head}`);
    } finally {
      for (const c of held) c.destroy();
    }
    // Once they are gone, a new one is served (polling: the server learns of the close asynchronously).
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const r = await rawRequest(s.port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      if (r.status === 200) break;
      assert.ok(Date.now() < deadline, 'never served again after the held connections closed');
      await new Promise((res) => setTimeout(res, 100));
    }
    await s.close();
  });

  it('a connection that sends nothing at all is closed after headersTimeout', async () => {
    const s = await startHttpServer('127.0.0.1', 0, [], () => {}, { limits: { headersTimeout: 300, requestTimeout: 300 } });
    const r = await rawRequest(s.port, '', { timeoutMs: 60_000 });
    assert.ok(r.dropped || r.status === 408, `closed (got ${r.head || 'nothing'})`);
    await s.close();
  });

  it('an idle connection that never finishes its head is answered 408 and closed after headersTimeout', async () => {
    const s = await startHttpServer('127.0.0.1', 0, [], () => {}, { limits: { headersTimeout: 300, requestTimeout: 300 } });
    const r = await rawRequest(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n', { timeoutMs: 60_000 });
    assert.equal(r.status, 408, r.head);
    await s.close();
  });
});

describe('the daemon\'s web server wiring', () => {
  it('a failing handler is counted in segcov_errors_total{kind="http"} and logged', async () => {
    const { resolveDaemonConfig } = await import('../../src/cli/daemonOptions.js');
    const { SelfMetrics } = await import('../../src/outputs/metrics/selfMetrics.js');
    const { createLogger } = await import('../../src/log.js');
    const { startWebServer } = await import('../../src/daemon/webServer.js');
    const { PassThrough } = await import('node:stream');
    const logs = new PassThrough();
    let logged = '';
    logs.on('data', (d: Buffer) => { logged += d.toString(); });
    const metrics = new SelfMetrics(false);
    const config = resolveDaemonConfig({ channels: ['c'], qualities: 'source', 'log-level': 'info', 'web.listen-address': '127.0.0.1:0', 'pixel-length': 2, rows: 300, 'check-interval': 300, concurrency: 1 });
    const web = await startWebServer(config, [{ path: '/boom', handle: () => { throw new Error('kaboom'); } }], createLogger('info', logs), metrics);
    try {
      assert.equal((await rawGet(web.port, '/boom')).status, 500);
      assert.equal((await rawGet(web.port, '/boom')).status, 500);
      const m = await metrics.registry.getSingleMetricAsString('segcov_errors_total');
      assert.match(m, /^segcov_errors_total\{kind="http"\} 2$/m);
      assert.match(logged, /"msg":"http handler failed"/);
      assert.match(logged, /kaboom/);
    } finally {
      await web.close();
    }
  });
});
