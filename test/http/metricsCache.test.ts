/** /metrics from the cache: one render per max age shared by concurrent scrapes, gzip, no blank lines. */
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { Counter, Gauge, Registry } from 'prom-client';
import { startHttpServer } from '../../src/outputs/http/httpServer.js';
import type { GaugeValue } from '../../src/coverage/gauges.js';
import { CoverageGauges } from '../../src/outputs/metrics/coverageGauges.js';
import { MetricsCache, RegistryText, acceptsGzip, sendMetrics } from '../../src/outputs/metrics/metricsCache.js';
import { dropBlankLines } from '../../src/outputs/metrics/promText.js';

describe('metrics cache', () => {
  it('renders once per max age (fake clock): concurrent gets share one render; an old text or moved inputs wait for a new one', async () => {
    let t = 1_000;
    let n = 0;
    let inputs = 0;
    let release: () => void = () => {};
    let gate = new Promise<void>((r) => {
      release = r;
    });
    const cache = new MetricsCache(
      async () => {
        n++;
        await gate;
        return `x ${n}\n`;
      },
      1000,
      () => t,
      () => inputs,
    );
    const many = Promise.all(Array.from({ length: 50 }, () => cache.get(false)));
    release();
    const bodies = await many;
    assert.equal(cache.renders, 1);
    assert.ok(bodies.every((b) => b.toString() === 'x 1\n'));
    t += 999;
    assert.equal((await cache.get(false)).toString(), 'x 1\n');
    assert.equal(cache.renders, 1, 'still fresh: no render');
    t += 1;
    assert.equal((await cache.get(false)).toString(), 'x 2\n', 'expired: the scrape gets a new render, not the old text');
    assert.equal(cache.renders, 2);
    inputs++;
    assert.equal((await cache.get(false)).toString(), 'x 3\n', 'inputs moved: rendered again although young');
    assert.equal((await cache.get(false)).toString(), 'x 3\n');
    assert.equal(cache.renders, 3, 'unchanged inputs: the young text is reused');

    // a render that began before the inputs moved does not answer a scrape that came after
    gate = new Promise<void>((r) => {
      release = r;
    });
    t += 1000;
    const early = cache.get(false); // starts render 4 with the inputs as they are
    inputs++;
    const late = cache.get(false);
    release();
    assert.equal((await early).toString(), 'x 4\n');
    assert.equal((await late).toString(), 'x 5\n', 'the later scrape waited for a render that began after the change');
  });

  it('a registry with a version is rendered again only when the version moved', async () => {
    const reg = new Registry();
    const g = new Gauge({ name: 'v', help: 'h', labelNames: ['k'], registers: [reg] });
    let version = 0;
    let t = 0;
    const text = new RegistryText(reg, { version: () => version, maxStaleMs: 60_000, now: () => t });
    g.set({ k: 'a' }, 1);
    assert.match(await text.get(), /^v\{k="a"\} 1$/m);
    g.set({ k: 'a' }, 2);
    assert.match(await text.get(), /^v\{k="a"\} 1$/m, 'same version: the rendered text is reused');
    version++;
    assert.match(await text.get(), /^v\{k="a"\} 2$/m);
    g.set({ k: 'a' }, 9);
    t += 59_999;
    assert.match(await text.get(), /^v\{k="a"\} 2$/m, 'version unchanged and not yet 60 s');
    t += 1;
    assert.match(await text.get(), /^v\{k="a"\} 9$/m, 'a missed bump is late, never lost');
    const always = new RegistryText(reg);
    g.set({ k: 'a' }, 3);
    assert.match(await always.get(), /^v\{k="a"\} 3$/m);
  });

  it('CoverageGauges moves its version on every change and not otherwise', () => {
    const gauges = new CoverageGauges();
    const v0 = gauges.version;
    const values: GaugeValue[] = [{ name: 'raw_holes', value: 1 }];
    gauges.apply('c', 'q', new Map([['2026-11-01T07', values]]));
    const v1 = gauges.version;
    assert.ok(v1 > v0);
    gauges.apply('c', 'q', new Map([['2026-11-01T07', values]]));
    assert.equal(gauges.version, v1, 'same values: no change');
    gauges.remove('c', 'q');
    assert.ok(gauges.version > v1);
  });

  it('the gzip form is the same text', async () => {
    const cache = new MetricsCache(async () => 'a 1\nb 2\n');
    assert.equal(gunzipSync(await cache.get(true)).toString(), 'a 1\nb 2\n');
  });

  it('no blank line for a metric family without series', async () => {
    const reg = new Registry();
    new Gauge({ name: 'empty_family', help: 'none yet', labelNames: ['z'], registers: [reg] });
    const g = new Gauge({ name: 'full_family', help: 'one', labelNames: ['x'], registers: [reg] });
    g.set({ x: 'a' }, 1);
    new Gauge({ name: 'another_empty', help: 'none', labelNames: ['y'], registers: [reg] });
    const raw = await reg.metrics();
    assert.match(raw, /\n\n/, 'prom-client itself leaves blank lines (else this test proves nothing)');
    const text = dropBlankLines(raw);
    assert.doesNotMatch(text, /\n\n/);
    assert.ok(text.endsWith('\n'));
    assert.match(text, /# TYPE empty_family gauge\n# HELP full_family/);
  });

  it('Accept-Encoding negotiation', () => {
    assert.equal(acceptsGzip('gzip'), true);
    assert.equal(acceptsGzip('deflate, gzip;q=0.5'), true);
    assert.equal(acceptsGzip('gzip;q=0'), false);
    assert.equal(acceptsGzip('identity'), false);
    assert.equal(acceptsGzip(undefined), false);
    assert.equal(acceptsGzip('*'), true);
  });

  it('over HTTP: the format the Accept header asks for, with its content type, gzipped or not', async () => {
    const reg = new Registry();
    new Counter({ name: 'c_total', help: 'h', registers: [reg] }).inc(4);
    new Gauge({ name: 'g', help: 'h', registers: [reg] }).set(1);
    const cache = new MetricsCache(() => reg.metrics());
    const s = await startHttpServer('127.0.0.1', 0, [{ path: '/metrics', handle: (req, res) => sendMetrics(req, res, cache) }], (e) => {
      throw e;
    });
    try {
      const url = `http://127.0.0.1:${s.port}/metrics`;
      const prometheus =
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
      for (const encoding of ['identity', 'gzip']) {
        const om = await fetch(url, { headers: { accept: prometheus, 'accept-encoding': encoding } });
        assert.equal(om.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
        assert.equal(om.headers.get('vary'), 'accept, accept-encoding');
        assert.equal(await om.text(), '# HELP c h\n# TYPE c counter\nc_total 4\n# HELP g h\n# TYPE g gauge\ng 1\n# EOF\n', encoding);
        const plain = await fetch(url, { headers: { 'accept-encoding': encoding } }); // fetch asks for */*
        assert.equal(plain.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
        assert.equal(
          await plain.text(),
          '# HELP c_total h\n# TYPE c_total counter\nc_total 4\n# HELP g h\n# TYPE g gauge\ng 1\n',
          encoding,
        );
      }
    } finally {
      await s.close();
    }
  });

  it('over HTTP: gzip when asked, identity otherwise, same text', async () => {
    const reg = new Registry();
    const g = new Gauge({ name: 'g', help: 'h', labelNames: ['i'], registers: [reg] });
    for (let i = 0; i < 500; i++) g.set({ i: String(i) }, i);
    const cache = new MetricsCache(() => reg.metrics());
    const s = await startHttpServer('127.0.0.1', 0, [{ path: '/metrics', handle: (req, res) => sendMetrics(req, res, cache) }], (e) => {
      throw e;
    });
    try {
      const url = `http://127.0.0.1:${s.port}/metrics`;
      const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.headers.get('content-encoding'), null);
      const text = await plain.text();
      assert.match(text, /^g\{i="499"\} 499$/m);
      const zipped = await fetch(url, { headers: { 'accept-encoding': 'gzip' } }); // fetch decodes it
      assert.equal(zipped.headers.get('content-encoding'), 'gzip');
      assert.equal(await zipped.text(), text);
      assert.ok(Number(zipped.headers.get('content-length')) < Buffer.byteLength(text) / 3, 'actually compressed');
    } finally {
      await s.close();
    }
  });
});
