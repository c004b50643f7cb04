/**
 * End to end with a real Prometheus under wubloader's own scrape layout
 * (monitoring/prometheus.jsonnet): job `http-segment_coverage`, `instance` = the node's
 * name (not an address), extra labels, and metrics_path `/metrics/segment_coverage` through
 * the node's nginx — emulated here by a small reverse proxy that maps that path to segcov's
 * /metrics, as wubloader's nginx does. config/segcov.rules.yml and the Grafana dashboard
 * must work unchanged: nothing in them names a job.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { makeTmpDir } from '../helpers/tmp.js';
import {
  configDir,
  freePort,
  loadDashboard,
  panelQueries,
  parseLabelValues,
  requireBinary,
  substituteVars,
  variableQuery,
  writeDaemonLauncher,
  spawnPrometheus,
} from './opsHelpers.js';

const WAIT_MS = 30_000;
const JOB = 'http-segment_coverage';
const NODE = 'mynode';

function hourName(h: number): string {
  return new Date(h * 3_600_000).toISOString().slice(0, 13);
}
const H = Math.floor(Date.now() / 3_600_000) - 48;
const T0 = hourName(H);
const T1 = hourName(H + 1);
/** T0: [0,2) [10,12) → 1 inner hole [2,10) plus the end-of-hour hole [12,3600): 2 holes. T1 (newest): [0,2) and a bad name, no hole. */
const STORE: Record<string, string[]> = {
  [T0]: ['00:00.000000-2.000-full-AAAA.ts', '00:10.000000-2.000-full-AAAB.ts'],
  [T1]: ['00:00.000000-2.000-full-AAAC.ts', '00:40.000000-2.000-bogus-AAAJ.ts'],
};

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface PromResponse<T> {
  status: string;
  data: T;
  error?: string;
  errorType?: string;
}

describe("Prometheus end to end under wubloader's scrape layout", () => {
  let tmp = '';
  const children: ChildProcess[] = [];
  let proxy: http.Server | null = null;
  let promUrl = '';
  let output = '';

  const api = async <T>(q: string): Promise<PromResponse<T>> => (await (await fetch(`${promUrl}${q}`)).json()) as PromResponse<T>;
  const query = async (expr: string): Promise<Sample[]> => {
    const r = await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    assert.equal(r.status, 'success', `${expr}: ${r.error}`);
    return r.data.result;
  };
  const waitFor = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      for (const c of children) assert.ok(c.exitCode === null, `a process exited while waiting for ${what}\n${output.slice(-3000)}`);
      const v = await check().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  before(async () => {
    const prometheus = requireBinary('prometheus', 'prometheus');
    tmp = await makeTmpDir('ops-wub');
    const base = path.join(tmp, 'store');
    for (const [hour, names] of Object.entries(STORE)) {
      const dir = path.join(base, 'chan', 'source', hour);
      await mkdir(dir, { recursive: true });
      for (const n of names) await writeFile(path.join(dir, n), '');
    }
    const launcher = await writeDaemonLauncher(tmp);
    const port = await freePort();
    const segcov = spawn(
      process.execPath,
      [
        launcher,
        'chan',
        '--base-dir',
        base,
        '--metrics-port',
        String(port),
        '--metrics-host',
        '127.0.0.1',
        '--check-interval',
        '1',
        '--no-watch',
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(segcov);
    // wubloader's nginx: /metrics/segment_coverage → the segment_coverage service's /metrics
    proxy = http.createServer((req, res) => {
      if (req.url !== '/metrics/segment_coverage') {
        res.writeHead(404).end();
        return;
      }
      const up = http.get({ host: '127.0.0.1', port, path: '/metrics', headers: { accept: req.headers.accept ?? '*/*' } }, (r) => {
        res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? 'text/plain' });
        r.pipe(res);
      });
      up.on('error', () => res.writeHead(502).end());
    });
    const nginxPort = await freePort();
    await new Promise<void>((r) => proxy?.listen(nginxPort, '127.0.0.1', r));
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    const cfg = path.join(tmp, 'prometheus.yml');
    await writeFile(
      cfg,
      YAML.stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(configDir, 'segcov.rules.yml')],
        scrape_configs: [
          {
            job_name: JOB,
            metrics_path: '/metrics/segment_coverage',
            scheme: 'http',
            static_configs: [
              {
                targets: [`127.0.0.1:${nginxPort}`],
                labels: {
                  instance: NODE,
                  target: `127.0.0.1:${nginxPort}`,
                  url: `http://127.0.0.1:${nginxPort}`,
                  role: 'replica',
                  service: 'segment_coverage',
                  service_index: '4',
                },
              },
            ],
          },
        ],
      }),
    );
    const prom = spawnPrometheus(prometheus, cfg, tmp, promPort);
    children.push(prom);
    for (const c of children) {
      c.stdout?.on('data', (b: Buffer) => {
        output += b.toString();
      });
      c.stderr?.on('data', (b: Buffer) => {
        output += b.toString();
      });
    }
    await waitFor('Prometheus ready', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined));
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await new Promise((r) => (proxy === null ? r(null) : proxy.close(r)));
    if (tmp !== '') await rm(tmp, { recursive: true, force: true });
  });

  test('the node is scraped through /metrics/segment_coverage, named by its node name', async () => {
    const up = await waitFor('up == 1', async () => {
      const rows = await query(`up{job="${JOB}"} == 1`);
      return rows.length === 1 ? rows : undefined;
    });
    assert.equal(up[0].metric.instance, NODE);
    const holes = await waitFor('raw_holes of both hours', async () => {
      const rows = await query(`raw_holes{instance="${NODE}",channel="chan",quality="source"}`);
      return rows.length === 2 ? Object.fromEntries(rows.map((s) => [s.metric.hour, Number(s.value[1])])) : undefined;
    });
    assert.deepEqual(holes, { [T0]: 2, [T1]: 0 });
    // wubloader's overview dashboard panel on log lines
    const logs = await query(`sum(log_count_total{job="${JOB}"}) by (instance, job, level)`);
    assert.ok(
      logs.some((s) => s.metric.instance === NODE),
      'log_count_total scraped',
    );
  });

  test('every rule evaluates without error, and neither "down" nor "absent" is active', async () => {
    interface Rule {
      name: string;
      health: string;
      lastError?: string;
      lastEvaluation: string;
    }
    const rules = await waitFor('every rule evaluated', async () => {
      const r = await api<{ groups: Array<{ rules: Rule[] }> }>('/api/v1/rules');
      const all = r.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((x) => !x.lastEvaluation.startsWith('0001-')) ? all : undefined;
    });
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
    // the fleet rules see the node although its job is not "segcov"
    const best = await waitFor('fleet rule', async () => {
      const rows = await query('channel_quality_hour:raw_holes:min{channel="chan",quality="source"}');
      return rows.length === 2 ? rows : undefined;
    });
    assert.equal(best.length, 2);
    // the hole alert's expression (without its "new within 6 h" guards) selects the node's holey hour
    const holey = await query('raw_holes > 0');
    assert.deepEqual(
      holey.map((s) => `${s.metric.job} ${s.metric.instance} ${s.metric.hour}`),
      [`${JOB} ${NODE} ${T0}`],
    );
    const r = await api<{ alerts: Array<{ labels: Record<string, string> }> }>('/api/v1/alerts');
    const names = new Set(r.data.alerts.map((a) => a.labels.alertname));
    for (const quiet of ['SegcovDown', 'SegcovAbsent']) assert.ok(!names.has(quiet), `${quiet} active under this layout`);
  });

  test("the dashboard's variables find this job and node, and its queries find data", async () => {
    const d = loadDashboard();
    const now = Date.now() / 1000;
    const found: Record<string, string[]> = {};
    const vars: Record<string, string> = { channel: 'chan', quality: 'source' };
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      const { selector, label } = parseLabelValues(variableQuery(v));
      const sel = substituteVars(selector, { ...vars, job: found.job?.[0] ?? '' });
      const r = await waitFor(`values of $${v.name}`, async () => {
        const res = await api<Array<Record<string, string>>>(
          `/api/v1/series?match[]=${encodeURIComponent(sel)}&start=${now - 300}&end=${Date.now() / 1000}`,
        );
        return res.status === 'success' && res.data.length > 0 ? res.data : undefined;
      });
      found[v.name] = [...new Set(r.map((s) => s[label]))].sort();
    }
    assert.deepEqual(found.job, [JOB]);
    assert.deepEqual(found.node, [NODE]);
    await waitFor('two samples for rate()', async () => {
      const rows = await query('count_over_time(segcov_passes_total[1m])');
      return rows.length === 1 && Number(rows[0].value[1]) >= 2 ? true : undefined;
    });
    const all = { ...vars, job: JOB, node: `(${NODE})` };
    const empty: string[] = [];
    for (const q of panelQueries(d)) {
      const expr = substituteVars(q.expr, all);
      const r = await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      assert.equal(r.status, 'success', `${q.panel}: ${expr}: ${r.error}`);
      // no failure happened, and a single node has no peers: those two panels are rightly empty
      if (r.data.result.length === 0 && q.panel !== 'segcov failures' && q.panel !== 'Peers answering') empty.push(`${q.panel}: ${expr}`);
    }
    assert.deepEqual(empty, []);
  });

  test('SegcovDown goes pending for the node once its segcov stops answering (nginx still up)', async () => {
    const segcov = children[0];
    segcov.kill('SIGTERM');
    await new Promise((r) => (segcov.exitCode !== null ? r(null) : segcov.once('exit', r)));
    children.splice(0, 1); // its exit is expected from here on
    const down = await waitFor('SegcovDown pending', async () => {
      const r = await api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>('/api/v1/alerts');
      const a = r.data.alerts.filter((x) => x.labels.alertname === 'SegcovDown');
      return a.length > 0 ? a : undefined;
    });
    assert.deepEqual(
      down.map((a) => `${a.labels.job} ${a.labels.instance} ${a.state}`),
      [`${JOB} ${NODE} pending`],
    );
  });
});
