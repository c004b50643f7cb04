/**
 * The HTTP server's own guarantees: handler failures (synchronous throws and rejections)
 * become a 500 and are reported; every answer, errors included, carries the security
 * headers; the limits are set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, startHttpServer, type HttpServerHandle, type Route } from '../../src/outputs/http/httpServer.js';
import { sendText } from '../../src/outputs/http/responses.js';
import { SECURITY_HEADERS } from '../../src/outputs/http/securityHeaders.js';
import { waitFor } from '../helpers/cli.js';
import { rawGet, rawRequest } from './rawHttp.js';

describe('HTTP server', () => {
  let server: HttpServerHandle;
  const errors: unknown[] = [];

  before(async () => {
    server = await startHttpServer(
      '127.0.0.1',
      0,
      [
        { path: '/ok', handle: (_req, res) => sendText(res, 200, 'ok\n') },
        {
          path: '/sync-throw',
          handle: () => {
            throw new RangeError('Invalid time value');
          },
        },
        {
          path: '/async-throw',
          handle: async () => {
            await Promise.resolve();
            throw new Error('later');
          },
        },
        {
          path: '/half',
          handle: (_req, res) => {
            res.writeHead(200);
            res.write('part');
            throw new Error('after the head');
          },
        },
      ],
      (e) => errors.push(e),
    );
  });

  after(async () => server?.close());

  it('a synchronous throw in a handler is a 500, reported, and the server keeps serving', async () => {
    const r = await rawGet(server.port, '/sync-throw');
    assert.equal(r.status, 500);
    assert.ok(
      errors.some((e) => e instanceof RangeError),
      'the error reached onError',
    );
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
  it('beyond maxConnections an idle connection is closed to make room; with none idle the new one is closed at once', async () => {
    const hold: Route = {
      path: '/hold',
      handle: (_req, res) => {
        res.writeHead(200);
        res.write('held\n');
      },
    };
    const s = await startHttpServer('127.0.0.1', 0, [{ path: '/ok', handle: (_req, res) => sendText(res, 200, 'ok\n') }, hold], () => {}, {
      limits: { maxConnections: 2, scrapeReserve: 0, perClient: 2 },
    });
    const net = await import('node:net');
    const open = (bytes: string): Promise<import('node:net').Socket> =>
      new Promise((resolve) => {
        const c = net.connect(s.port, '127.0.0.1', () => {
          c.write(bytes);
          resolve(c);
        });
        c.on('error', () => {});
        c.on('data', (d: Buffer) => {
          if (d.toString().includes('held')) c.emit('held');
        });
      });
    const idle = [await open(''), await open('')];
    const closed = new Promise((r) => idle[0].once('close', r));
    try {
      await waitFor('both idle connections counted', async () => (s.connections().general === 2 ? true : undefined));
      assert.equal((await rawGet(s.port, '/ok')).status, 200, 'served in the place of an idle one');
      await closed;
      assert.equal(idle[1].destroyed, false, 'only the oldest was closed');
      idle[1].destroy();
      await waitFor('the idle ones gone', async () => (s.connections().general === 0 ? true : undefined));
      const held = await Promise.all(
        [0, 1].map(async () => {
          const c = await open('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
          await new Promise((r) => c.once('held', r));
          return c;
        }),
      );
      const extra = await rawRequest(s.port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal(extra.dropped, true, `a third connection beside two answering ones is closed, got ${extra.head}`);
      for (const c of held) c.destroy();
    } finally {
      for (const c of idle) c.destroy();
      await s.close();
    }
  });

  it('a client that stops reading an answer is closed after inactivityTimeout, freeing its place', async () => {
    const big: Route = {
      path: '/big',
      handle: (_req, res) => {
        res.writeHead(200);
        res.end(Buffer.alloc(32 * 1024 * 1024));
      },
    };
    const s = await startHttpServer('127.0.0.1', 0, [big], () => {}, { limits: { inactivityTimeout: 300 } });
    const net = await import('node:net');
    const c = net.connect(s.port, '127.0.0.1');
    c.pause(); // reads nothing: 32 MiB outlast every socket buffer
    c.on('error', () => {});
    c.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      await waitFor('the connection counted', async () => (s.connections().general === 1 ? true : undefined));
      await waitFor('the stuck connection closed', async () => (s.connections().general === 0 ? true : undefined));
    } finally {
      c.destroy();
      await s.close();
    }
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

describe("the daemon's web server wiring", () => {
  it('a failing handler is counted in segcov_errors_total{kind="http"} and logged', async () => {
    const { resolveDaemonConfig } = await import('../../src/cli/daemonOptions.js');
    const { SelfMetrics } = await import('../../src/outputs/metrics/selfMetrics.js');
    const { createLogger } = await import('../../src/log.js');
    const { startWebServer } = await import('../../src/daemon/webServer.js');
    const { PassThrough } = await import('node:stream');
    const logs = new PassThrough();
    let logged = '';
    logs.on('data', (d: Buffer) => {
      logged += d.toString();
    });
    const metrics = new SelfMetrics(false);
    const config = resolveDaemonConfig({
      channels: ['c'],
      qualities: 'source',
      'log-level': 'info',
      'web.listen-address': '127.0.0.1:0',
      'pixel-length': 2,
      rows: 300,
      'check-interval': 300,
      concurrency: 1,
    });
    const web = await startWebServer(
      config,
      [
        {
          path: '/boom',
          handle: () => {
            throw new Error('kaboom');
          },
        },
      ],
      createLogger('info', logs),
      metrics,
    );
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
