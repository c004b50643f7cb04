/**
 * A real Prometheus (the Debian package, on loopback) scrapes segcov over TLS with basic
 * auth, as node_exporter users configure it. A second job with a wrong password shows the
 * password is really checked (up == 0 there).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { fillHour } from '../helpers/simpleStore.js';
import { freePort, waitFor, WAIT_MS } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { requireBinary, spawnPrometheus } from '../ops/opsHelpers.js';
import { hashOf, makeCerts, startTlsDaemon, writeWebConfig, type TlsDaemon } from './tlsFixture.js';

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe('Prometheus scrapes segcov over TLS with basic auth', () => {
  let dir = '';
  let d: TlsDaemon;
  let prom: ChildProcess | null = null;
  let promLog = '';
  let promUrl = '';

  async function query(expr: string): Promise<Sample[]> {
    const r = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
      status: string;
      data: { result: Sample[] };
    };
    assert.equal(r.status, 'success');
    return r.data.result;
  }

  before(async () => {
    const prometheus = requireBinary('prometheus', 'prometheus');
    dir = await makeTmpDir('prom-tls');
    const certs = await makeCerts(dir);
    const base = path.join(dir, 'store');
    fillHour(base, 'chan', 'source', '2026-11-01T07', 0, 40, new Set([10]));
    const webFile = path.join(dir, 'web.yml');
    await writeWebConfig(webFile, {
      tls_server_config: { cert_file: certs.serverCert, key_file: certs.serverKey },
      basic_auth_users: { prometheus: hashOf('scrape-me') },
    });
    d = await startTlsDaemon(
      ['chan', '--base-dir', base, '--output-dir', path.join(dir, 'maps'), '--no-watch', '--log-level', 'warn'],
      webFile,
      certs.ca,
    );
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    const job = (name: string, password: string) => ({
      job_name: name,
      scheme: 'https',
      tls_config: { ca_file: certs.ca },
      basic_auth: { username: 'prometheus', password },
      static_configs: [{ targets: [`127.0.0.1:${d.port}`] }],
    });
    const config = path.join(dir, 'prometheus.yml');
    await writeFile(
      config,
      YAML.stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [job('segcov', 'scrape-me'), job('intruder', 'guess')],
      }),
    );
    prom = spawnPrometheus(prometheus, config, dir, promPort);
    prom.stdout?.on('data', (b: Buffer) => {
      promLog += b.toString();
    });
    prom.stderr?.on('data', (b: Buffer) => {
      promLog += b.toString();
    });
    await waitFor(
      'Prometheus ready',
      async () => {
        try {
          return (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      WAIT_MS,
      200,
    );
  });

  after(async () => {
    if (prom !== null && prom.exitCode === null) {
      const exited = new Promise((r) => prom?.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    await d?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('the segcov job is up and its gauges arrive; the job with a wrong password is down', async () => {
    const up = await waitFor(
      'both jobs scraped',
      async () => {
        const rows = await query('up');
        return rows.length === 2 ? rows : undefined;
      },
      WAIT_MS,
      250,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${promLog}\n${d.stderr()}`);
    });
    const byJob = Object.fromEntries(up.map((s) => [s.metric.job, s.value[1]]));
    assert.deepEqual(byJob, { segcov: '1', intruder: '0' });
    const holes = await waitFor(
      'raw_holes over TLS',
      async () => {
        const rows = await query('raw_holes{job="segcov",channel="chan",quality="source"}');
        return rows.length === 1 ? rows : undefined;
      },
      WAIT_MS,
      250,
    );
    assert.equal(holes[0].metric.hour, '2026-11-01T07');
    assert.equal(holes[0].value[1], '1', 'the one left-out segment at 10 s is one hole (no end-of-hour hole in the last hour)');
    const targets = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ labels: { job: string }; lastError: string; scrapeUrl: string }> };
    };
    const intruder = targets.data.activeTargets.find((t) => t.labels.job === 'intruder');
    assert.match(intruder?.lastError ?? '', /401/);
    assert.match(targets.data.activeTargets.find((t) => t.labels.job === 'segcov')?.scrapeUrl ?? '', /^https:/);
  });
});
