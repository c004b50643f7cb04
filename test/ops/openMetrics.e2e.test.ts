/**
 * Issue 27: a real Prometheus (the Debian package) scrapes one segcov in both text formats. Job
 * `openmetrics` scrapes it directly, with Prometheus' own Accept header, which asks for
 * OpenMetrics first. Job `classic` scrapes it through a small proxy that asks for
 * text/plain 0.0.4 only, as `scrape_protocols: [PrometheusText0.0.4]` does in Prometheus 2.49
 * and later (Debian 12 ships 2.42, which has no such setting). Prometheus' parsers are strict:
 * one bad line, or OpenMetrics without `# EOF`, fails the whole scrape.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { freePort, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { requireBinary, spawnPrometheus } from './opsHelpers.js';

const WAIT_MS = 60_000;
const CLASSIC_ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
/** The families compared between the jobs: the §4 gauges and segcov's own (no process metrics: they move by themselves). */
const COMPARED = '__name__=~"segment_.*|raw_.*|editable_.*|overlap_.*|segcov_.*|log_count_total"';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}
interface Metadata {
  metric: string;
  type: string;
}

describe('a real Prometheus scrapes segcov in OpenMetrics and in the classic text format', () => {
  let dir = '';
  let d: RunningDaemon;
  let prom: ChildProcess | null = null;
  let proxy: http.Server | null = null;
  let promUrl = '';
  let log = '';
  /** What the proxy saw: Prometheus' Accept header and the content type segcov answered. */
  const seen = { accept: new Set<string>(), contentType: new Set<string>() };

  async function api<T>(q: string): Promise<T> {
    const r = (await (await fetch(`${promUrl}${q}`)).json()) as { status: string; data: T; error?: string };
    assert.equal(r.status, 'success', `${q}: ${r.error}`);
    return r.data;
  }
  const query = (expr: string): Promise<Sample[]> =>
    api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`).then((d) => d.result);
  const wait = <T>(what: string, check: () => Promise<T | undefined>): Promise<T> =>
    waitFor(what, check, WAIT_MS, 250).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${log.slice(-3000)}\n${d.stderr().slice(-2000)}`);
    });

  before(async () => {
    const prometheus = requireBinary('prometheus', 'prometheus');
    dir = await makeTmpDir('ops-om');
    const base = path.join(dir, 'store');
    fillHour(base, 'chan', 'source', '2026-11-01T07', 0, 40, new Set([10]));
    fillHour(base, 'chan', 'source', '2026-11-01T08', 0, 20);
    putSegment(base, 'chan', 'source', '2026-11-01T08', 'not-a-segment.ts'); // segcov_store_errors_total{kind="bad_name"} 1
    d = await startDaemon([
      'chan',
      '--base-dir',
      base,
      '--output-dir',
      path.join(dir, 'maps'),
      '--no-watch',
      '--check-interval',
      '600',
      '--log-level',
      'warn',
    ]);
    proxy = http.createServer((req, res) => {
      seen.accept.add(req.headers.accept ?? '');
      const up = http.get(
        {
          host: '127.0.0.1',
          port: d.port,
          path: '/metrics',
          headers: { accept: CLASSIC_ACCEPT, 'accept-encoding': req.headers['accept-encoding'] ?? 'identity' },
        },
        (r) => {
          seen.contentType.add(r.headers['content-type'] ?? '');
          const headers: http.OutgoingHttpHeaders = { 'content-type': r.headers['content-type'] };
          if (r.headers['content-encoding'] !== undefined) headers['content-encoding'] = r.headers['content-encoding'];
          res.writeHead(r.statusCode ?? 502, headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
    });
    const proxyPort = await freePort();
    await new Promise<void>((r) => proxy?.listen(proxyPort, '127.0.0.1', r));
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    const config = path.join(dir, 'prometheus.yml');
    await writeFile(
      config,
      YAML.stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [
          { job_name: 'openmetrics', static_configs: [{ targets: [`127.0.0.1:${d.port}`] }] },
          { job_name: 'classic', static_configs: [{ targets: [`127.0.0.1:${proxyPort}`] }] },
        ],
      }),
    );
    prom = spawnPrometheus(prometheus, config, dir, promPort);
    prom.stdout?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    prom.stderr?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    await wait('Prometheus ready', async () => ((await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok ? true : undefined));
  });

  after(async () => {
    if (prom !== null && prom.exitCode === null) {
      const exited = new Promise((r) => prom?.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    await new Promise((r) => (proxy === null ? r(null) : proxy.close(r)));
    await d?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('both jobs are up, with no scrape error', async () => {
    const targets = await wait('both targets scraped and up', async () => {
      const t = (await api<{ activeTargets: Target[] }>('/api/v1/targets')).activeTargets;
      return t.length === 2 && t.every((x) => x.health === 'up') ? t : undefined;
    });
    assert.deepEqual(targets.map((t) => [t.labels.job, t.lastError]).sort(), [
      ['classic', ''],
      ['openmetrics', ''],
    ]);
    assert.deepEqual((await query('up == 1')).map((s) => s.metric.job).sort(), ['classic', 'openmetrics']);
  });

  it('each job was read by the parser of its format (counter families named without _total in OpenMetrics)', async () => {
    const family = async (job: string, metric: string): Promise<Metadata[]> =>
      api<Metadata[]>(`/api/v1/targets/metadata?match_target=${encodeURIComponent(`{job="${job}"}`)}&metric=${metric}`);
    const om = await wait('metadata of the openmetrics job', async () =>
      (await family('openmetrics', 'segcov_store_errors')).length === 1 ? true : undefined,
    );
    assert.ok(om);
    assert.equal((await family('openmetrics', 'segcov_store_errors'))[0].type, 'counter');
    assert.deepEqual(await family('openmetrics', 'segcov_store_errors_total'), []);
    assert.equal((await family('classic', 'segcov_store_errors_total'))[0]?.type, 'counter');
    assert.deepEqual(await family('classic', 'segcov_store_errors'), []);
    assert.equal((await family('openmetrics', 'segment_count'))[0]?.type, 'gauge', 'a gauge named like a suffix parses as a gauge');
    // Prometheus asked the proxy for OpenMetrics too; the proxy's text/plain request got text/plain
    assert.ok(
      [...seen.accept].every((a) => a.startsWith('application/openmetrics-text')),
      [...seen.accept].join(' | '),
    );
    assert.deepEqual([...seen.contentType], ['text/plain; version=0.0.4; charset=utf-8']);
  });

  it('every sample of each format is scraped: scrape_samples_scraped is its count of sample lines', async () => {
    for (const [job, accept] of [
      ['openmetrics', OPENMETRICS_ACCEPT],
      ['classic', CLASSIC_ACCEPT],
    ]) {
      await wait(`scrape_samples_scraped of ${job} to match a scrape of its format`, async () => {
        const r = await fetch(`${d.url}/metrics`, { headers: { accept } });
        const text = await r.text();
        assert.equal(
          r.headers.get('content-type'),
          job === 'openmetrics' ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8',
        );
        assert.equal(text.endsWith('\n# EOF\n'), job === 'openmetrics');
        const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
        const scraped = await query(`scrape_samples_scraped{job="${job}"}`);
        return scraped.length === 1 && Number(scraped[0].value[1]) === samples ? true : undefined;
      });
    }
  });

  it('both jobs hold the same series with the same values', async () => {
    const byJob = async (job: string): Promise<Map<string, string>> => {
      const rows = await query(`{job="${job}",${COMPARED}}`);
      return new Map(
        rows.map((s) => {
          const { job: _j, instance: _i, ...labels } = s.metric;
          return [JSON.stringify(Object.entries(labels).sort()), s.value[1]];
        }),
      );
    };
    const [om, classic] = await wait('the same series in both jobs', async () => {
      const [a, b] = [await byJob('openmetrics'), await byJob('classic')];
      return a.size > 0 && JSON.stringify([...a].sort()) === JSON.stringify([...b].sort()) ? [a, b] : undefined;
    });
    assert.deepEqual(om, classic);
    const get = (m: Map<string, string>, labels: Record<string, string>): string | undefined =>
      m.get(JSON.stringify(Object.entries(labels).sort()));
    assert.equal(get(om, { __name__: 'segcov_store_errors_total', kind: 'bad_name' }), '1', 'the counter, under its sample name');
    assert.equal(
      get(om, { __name__: 'raw_holes', channel: 'chan', quality: 'source', hour: '2026-11-01T07' }),
      '2',
      'the missing segment at 10 s, and the end of the hour after 40 s',
    );
    assert.ok(om.size > 40, `${om.size} series compared`);
  });
});
