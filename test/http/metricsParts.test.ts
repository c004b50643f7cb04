/**
 * Issue 9: /metrics is rendered in parts, each again only when it changed, and the gzip
 * form reuses the compressed parts that did not change. Whatever is cached, the answer
 * (identity and gzip) is the text a fresh render gives at the same "now": after the clock
 * moves a window that follows it, after it passes the window's end, after a coverage change.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { constants, deflateRawSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { severityRules } from '../../src/config/daemonConfig.js';
import { metricsParts } from '../../src/daemon/coreRoutes.js';
import { createDaemon, type DaemonParts } from '../../src/daemon/daemon.js';
import { passAll } from '../../src/daemon/passes.js';
import { fleetFigures, fleetInputs } from '../../src/daemon/fleetFigures.js';
import { silentLogger } from '../../src/log.js';
import { FleetGauges } from '../../src/outputs/metrics/fleetGauges.js';
import { gzipOfParts } from '../../src/outputs/files/deflateParts.js';
import { MetricsCache } from '../../src/outputs/metrics/metricsCache.js';
import { toOpenMetrics } from '../../src/outputs/metrics/openMetrics.js';
import { dropBlankLines } from '../../src/outputs/metrics/promText.js';
import { SelfMetrics } from '../../src/outputs/metrics/selfMetrics.js';
import { WindowGauges } from '../../src/outputs/metrics/windowGauges.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { buildStore, type StoreSpec } from '../web/helpers/webFixture.js';

const SPEC: StoreSpec = {
  demo: {
    source: {
      '2026-11-01T10': [[0, 3600, 10, 'full']],
      '2026-11-01T11': [
        [0, 1200, 10, 'full'],
        [1230, 3600, 10, 'full'],
      ],
      '2026-11-01T12': [[0, 2400, 10, 'full']],
    },
    '480p': {
      '2026-11-01T10': [[0, 3600, 10, 'full']],
      '2026-11-01T12': [[0, 3600, 10, 'partial']],
    },
  },
};

const ms = (iso: string): number => Date.parse(iso);

describe('/metrics in cached parts', () => {
  let dir: string;
  let store: string;
  before(async () => {
    dir = await makeTmpDir('metrics-parts-');
    store = path.join(dir, 'store');
    await buildStore(store, SPEC);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gzipOfParts: one gzip member of sync-flushed parts inflates to the parts joined', () => {
    const parts = [Buffer.from('a 1\n'.repeat(5000)), Buffer.alloc(0), Buffer.from('# HELP b x\nb{c="é"} 2\n'), Buffer.from('z 3\n')];
    const deflated = parts.map((p) => deflateRawSync(p, { finishFlush: constants.Z_SYNC_FLUSH }));
    assert.equal(gunzipSync(gzipOfParts(parts, deflated)).toString(), Buffer.concat(parts).toString());
    assert.equal(gunzipSync(gzipOfParts([], [])).length, 0);
  });

  it('a part that is the same Buffer is not compressed again', async () => {
    const big = Buffer.from('big_series{i="1"} 1\n'.repeat(20_000));
    let n = 0;
    const cache = new MetricsCache(async () => [big, Buffer.from(`small ${++n}\n`)], 0);
    assert.equal(gunzipSync(await cache.get(true)).toString(), `${big.toString()}small 1\n`);
    assert.equal(cache.compressions, 2);
    assert.equal(gunzipSync(await cache.get(true)).toString(), `${big.toString()}small 2\n`);
    assert.equal(cache.compressions, 3, 'only the small part again');
    assert.equal((await cache.get(false)).toString(), `${big.toString()}small 3\n`);
  });

  async function daemonAt(
    lastHour: string | undefined,
    nowMs: () => number,
    maxAge?: string,
  ): Promise<{
    parts: DaemonParts;
    windowGauges: WindowGauges;
    fleetGauges: FleetGauges;
    cache: MetricsCache;
    fresh: () => Promise<string>;
  }> {
    const config = resolveDaemonConfig({
      channels: ['demo'],
      'base-dir': store,
      qualities: 'source,480p',
      'first-hour': '2026-11-01T10',
      ...(lastHour === undefined ? {} : { 'last-hour': lastHour }),
      'metrics-port': 0,
      'metrics-host': '127.0.0.1',
      'log-level': 'silent',
      'output-dir': path.join(dir, `maps-${lastHour ?? 'none'}-${maxAge ?? ''}`),
      'pixel-length': 2,
      rows: 300,
      'check-interval': 300,
      concurrency: 2,
      ...(maxAge === undefined ? {} : { 'max-age': maxAge }),
    });
    const parts = createDaemon(config, silentLogger);
    await passAll(parts);
    await Promise.all(parts.checkers.map((c) => c.flush()));
    const web = { ...parts.web, now: nowMs };
    const windowGauges = new WindowGauges(
      () => parts.state.list(),
      () => nowMs() * 1000,
      severityRules(config),
    );
    const fleetGauges = new FleetGauges(
      () => fleetFigures(web),
      () => fleetInputs(web),
    );
    const metrics = new SelfMetrics(false); // no process metrics: they move by themselves
    const cache = new MetricsCache(metricsParts({ gauges: parts.gauges, windowGauges, fleetGauges, metrics }), 0);
    const fresh = async (): Promise<string> =>
      [
        parts.gauges.text(),
        await new WindowGauges(
          () => parts.state.list(),
          () => nowMs() * 1000,
          severityRules(config),
        ).registry.metrics(),
        await new FleetGauges(() => fleetFigures(web)).registry.metrics(), // no inputs: computed every time
        await metrics.registry.metrics(),
      ]
        .map(dropBlankLines)
        .join('');
    return { parts, windowGauges, fleetGauges, cache, fresh };
  }

  async function sameAsFresh(d: { cache: MetricsCache; fresh: () => Promise<string> }, why: string): Promise<string> {
    const identity = (await d.cache.get(false)).toString();
    const gz = gunzipSync(await d.cache.get(true)).toString();
    const expected = await d.fresh();
    assert.equal(identity, expected, `identity: ${why}`);
    assert.equal(gz, expected, `gzip: ${why}`);
    return identity;
  }

  it('both formats from one render: OpenMetrics is the classic text converted, ending # EOF; the parts they share are compressed once', async () => {
    const now = ms('2026-11-01T16:30:00Z');
    const d = await daemonAt(undefined, () => now);
    const render = metricsParts({
      gauges: d.parts.gauges,
      windowGauges: d.windowGauges,
      fleetGauges: d.fleetGauges,
      metrics: new SelfMetrics(false),
    });
    const both = await render();
    const text = Buffer.concat(both.text).toString();
    assert.match(text, /^segcov_errors_total\{kind="pass"\} 0$/m);
    assert.equal(Buffer.concat(both.openmetrics).toString(), `${toOpenMetrics(text)}# EOF\n`);
    const shared = both.openmetrics.filter((b) => both.text.includes(b));
    assert.equal(shared.length, both.text.length - 1, 'all but the self-metrics part (its counters differ) are the very same Buffers');

    const cache = new MetricsCache(render, 60_000, () => now);
    const plain = gunzipSync(await cache.get(true, 'text')).toString();
    const compressions = cache.compressions;
    const om = gunzipSync(await cache.get(true, 'openmetrics')).toString();
    assert.equal(cache.renders, 1, 'one render answers both');
    assert.equal(cache.compressions - compressions, 2, 'OpenMetrics compressed only its self-metrics part and # EOF');
    assert.equal(om, `${toOpenMetrics(plain)}# EOF\n`);
    assert.equal((await cache.get(false, 'openmetrics')).toString(), om);
    assert.match(om, /^# TYPE segcov_errors counter\nsegcov_errors_total\{kind="map_write"\} 0$/m);
  });

  const line = (text: string, prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix));

  it('a window that follows the clock (--last-hour ahead): cached = fresh as now moves, then settles once now passes its end', async () => {
    let now = ms('2026-11-01T16:30:00Z');
    const d = await daemonAt('2026-11-01T17', () => now);
    const t0 = await sameAsFresh(d, 'first render');
    now += 90_000;
    const t1 = await sameAsFresh(d, 'now moved 90 s');
    const length = 'segcov_window_length_seconds{channel="demo",quality="source"}';
    assert.notEqual(line(t1, length), line(t0, length), 'the window grew with the clock (else this proves nothing)');
    assert.match(line(t1, length) ?? '', / 23490$/, '10:00 → 18:00 cut at 16:31:30');
    now = ms('2026-11-01T18:00:00.250Z');
    const t2 = await sameAsFresh(d, 'now just past the window end');
    assert.match(line(t2, length) ?? '', / 28800$/);
    const computed = [d.windowGauges.computed, d.fleetGauges.computed];
    const [compressions, renders] = [d.cache.compressions, d.cache.renders];
    now += 3 * 3600_000;
    const t3 = await sameAsFresh(d, 'hours later');
    assert.equal(t3, t2, 'nothing moved');
    assert.deepEqual([d.windowGauges.computed, d.fleetGauges.computed], computed, 'settled: window and fleet figures reused');
    assert.ok(d.cache.renders > renders);
    assert.equal(d.cache.compressions - compressions, d.cache.renders - renders, 'per render, only the self-metrics part compressed again');
  });

  it('--max-age: segcov_window_state turns bad once the newest segment is too old, with no coverage change, then stays reused', async () => {
    // source: a 30 s hole (warn), newest segment ends 12:40
    let now = ms('2026-11-01T12:45:00Z');
    const d = await daemonAt(undefined, () => now, '600');
    const state = 'segcov_window_state{channel="demo",quality="source"}';
    const t0 = await sameAsFresh(d, 'first render');
    assert.match(line(t0, state) ?? '', / 1$/);
    const computed = d.windowGauges.computed;
    now = ms('2026-11-01T12:50:00Z');
    assert.equal(await sameAsFresh(d, 'exactly --max-age old'), t0);
    assert.equal(d.windowGauges.computed, computed, 'held until the newest segment turns too old');
    now += 1;
    const t1 = await sameAsFresh(d, 'just older than --max-age');
    assert.match(line(t1, state) ?? '', / 2$/);
    assert.ok(d.windowGauges.computed > computed);
    // 480p's newest segment ends 13:00: it turns too old at 13:10 (bad already, for its missing hour)
    now += 3 * 3600_000;
    assert.equal(await sameAsFresh(d, 'hours later'), t1);
    const after = d.windowGauges.computed;
    now += 3 * 3600_000;
    assert.equal(await sameAsFresh(d, 'more hours later'), t1);
    assert.equal(d.windowGauges.computed, after, 'both stopped for good: reused');
  });

  it('a settled window (no end bound): reused until a coverage change, then cached = fresh', async () => {
    let now = ms('2026-11-01T16:30:00Z');
    const d = await daemonAt(undefined, () => now);
    const t0 = await sameAsFresh(d, 'first render');
    const computed = d.windowGauges.computed;
    now += 600_000;
    assert.equal(await sameAsFresh(d, 'ten minutes later'), t0);
    assert.equal(d.windowGauges.computed, computed, 'settled: not computed again');
    await buildStore(store, { demo: { source: { '2026-11-01T13': [[0, 1800, 10, 'full']] } } });
    await passAll(d.parts);
    await Promise.all(d.parts.checkers.map((c) => c.flush()));
    const t1 = await sameAsFresh(d, 'after a coverage change');
    assert.match(t1, /hour="2026-11-01T13"/, 'the new hour is there');
    assert.notEqual(
      line(t1, 'segcov_window_length_seconds{channel="demo",quality="source"}'),
      line(t0, 'segcov_window_length_seconds{channel="demo",quality="source"}'),
    );
    assert.ok(d.windowGauges.computed > computed, 'the changed quality computed again');
  });
});
