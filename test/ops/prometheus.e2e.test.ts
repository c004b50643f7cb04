/**
 * End to end with a real Prometheus (the Debian package) on loopback: two segcov daemons (two
 * "recording nodes") on generated stores are scraped every second with config/segcov.rules.yml
 * loaded. The test reads raw_holes and raw_coverage of known hours back through Prometheus'
 * HTTP API, checks that the fleet recording rules evaluate to the best copy of each hour, that
 * every rule evaluates without error, and runs every query of the Grafana dashboard.
 *
 * The expected figures are worked out by hand from docs/coverage.md (Raw and editable
 * chains, Edge holes; EPS = 10 ms), not by the engine. Hours are placed two days before
 * now so that "recording stalled" is true whatever the machine's clock says.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
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

const WAIT_MS = 90_000;

/** `YYYY-MM-DDTHH` of an hour (hours since the epoch). */
function hourName(h: number): string {
  return new Date(h * 3_600_000).toISOString().slice(0, 13);
}

const H = Math.floor(Date.now() / 3_600_000) - 48;
const T0 = hourName(H);
const T1 = hourName(H + 1);
const T2 = hourName(H + 2);

/**
 * Node A, channel chan, quality source.
 * T0: [0,2) [2,4) [10,12) [3598,3600) → holes [4,10) and [12,3598): 2 holes, 3592 s; coverage 8.
 *     (First hour: no start-of-hour hole. Reach 3600: no end-of-hour hole.)
 * T1: [0,2), [1,3) overlaps (1 < 2 − EPS) and adds 1, [3.005,5) starts within EPS of reach 3
 *     (no hole) and adds 1.995 → coverage 4.995; not the last hour, so [5,3600) is an
 *     end-of-hour hole: 1 hole, 3595 s.
 * T2: [30,32) full, [32,34) partial; the previous hour's reach was T1+5 s, so [T2, T2+30) is a
 *     start-of-hour hole: 1 hole, 30 s; coverage 4. Last hour: no end-of-hour hole.
 *     Plus one bad name and one temp segment, which cover nothing.
 * Node B: T0 only, one full 3600 s segment → coverage 3600, no hole.
 */
const STORE_A: Record<string, string[]> = {
  [T0]: ['00:00.000000-2.000-full-AAAA.ts', '00:02.000000-2.000-full-AAAB.ts', '00:10-2-full-AAAC.ts', '59:58.000000-2.000-full-AAAD.ts'],
  [T1]: ['00:00.000000-2.000-full-AAAE.ts', '00:01.000000-2.000-full-AAAF.ts', '00:03.005-1.995-full-AAAG.ts'],
  [T2]: [
    '00:30.000000-2.000-full-AAAH.ts',
    '00:32.000000-2.000-partial-AAAI.ts',
    '00:40.000000-2.000-bogus-AAAJ.ts',
    '00:50.000000-2.000-temp-whatever.ts',
  ],
};
const STORE_B: Record<string, string[]> = {
  [T0]: ['00:00.000000-3600.000-full-BBBB.ts'],
};

const EXPECTED_A: Record<string, { raw_coverage: number; raw_holes: number; raw_hole_duration: number }> = {
  [T0]: { raw_coverage: 8, raw_holes: 2, raw_hole_duration: 3592 },
  [T1]: { raw_coverage: 4.995, raw_holes: 1, raw_hole_duration: 3595 },
  [T2]: { raw_coverage: 4, raw_holes: 1, raw_hole_duration: 30 },
};

/** Panels whose queries may rightly find no series in this run (no such failure happened). */
const MAY_BE_EMPTY = new Set(['segcov failures']);

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

class Proc {
  readonly out: string[] = [];
  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (b: Buffer): void => {
      this.out.push(b.toString());
      if (this.out.length > 200) this.out.splice(0, this.out.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }
  get log(): string {
    return `--- ${this.name} (exit ${this.child.exitCode ?? this.child.signalCode ?? 'running'}) ---\n${this.out.join('').slice(-4000)}`;
  }
  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  async stop(): Promise<void> {
    if (!this.running()) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

async function makeStore(base: string, hours: Record<string, string[]>): Promise<void> {
  for (const [hour, names] of Object.entries(hours)) {
    const dir = path.join(base, 'chan', 'source', hour);
    await mkdir(dir, { recursive: true });
    for (const n of names) await writeFile(path.join(dir, n), '');
  }
}

describe('Prometheus end to end: real Prometheus scrapes two segcov daemons', () => {
  let tmp = '';
  const procs: Proc[] = [];
  let promUrl = '';
  const nodes: string[] = [];

  const logs = (): string => procs.map((p) => p.log).join('\n');

  async function api<T>(pathAndQuery: string): Promise<PromResponse<T>> {
    const res = await fetch(`${promUrl}${pathAndQuery}`);
    const body = (await res.json()) as PromResponse<T>;
    return body;
  }

  async function query(expr: string): Promise<Sample[]> {
    const r = await api<{ resultType: string; result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    assert.equal(r.status, 'success', `query ${expr} failed: ${r.errorType}: ${r.error}`);
    return r.data.result;
  }

  /** Polls until `check` returns a value other than undefined, or fails after WAIT_MS. */
  async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    let last: unknown;
    for (;;) {
      for (const p of procs) assert.ok(p.running(), `${p.name} exited while waiting for ${what}\n${logs()}`);
      try {
        const v = await check();
        if (v !== undefined) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline)
        assert.fail(`gave up after ${WAIT_MS / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}\n${logs()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Value per hour of a gauge of node `instance`. */
  async function byHour(metric: string, instance: string): Promise<Record<string, number>> {
    const rows = await query(`${metric}{job="segcov",instance="${instance}",channel="chan",quality="source"}`);
    return Object.fromEntries(rows.map((s) => [s.metric.hour, Number(s.value[1])]));
  }

  before(async () => {
    const prometheus = requireBinary('prometheus', 'prometheus');
    tmp = await makeTmpDir('ops-e2e');
    const stores = [path.join(tmp, 'storeA'), path.join(tmp, 'storeB')];
    await makeStore(stores[0], STORE_A);
    await makeStore(stores[1], STORE_B);
    const launcher = await writeDaemonLauncher(tmp);
    for (let i = 0; i < stores.length; i++) nodes.push(`127.0.0.1:${await freePort()}`);
    for (const [i, base] of stores.entries()) {
      const port = nodes[i].split(':')[1];
      // The two nodes are each other's peers (the fleet gauges and the dashboard's fleet panels).
      const config = path.join(tmp, `segcov${i}.yaml`);
      await writeFile(config, YAML.stringify({ peers: { [`node-${'ab'[1 - i]}`]: `http://${nodes[1 - i]}` } }));
      const child = spawn(
        process.execPath,
        [
          launcher,
          'chan',
          '--base-dir',
          base,
          '--qualities',
          'source',
          '--output-dir',
          path.join(tmp, `maps${i}`),
          '--metrics-port',
          port,
          '--metrics-host',
          '127.0.0.1',
          '--check-interval',
          '1',
          '--no-watch',
          '--log-level',
          'warn',
          '--config',
          config,
          '--node-name',
          `node-${'ab'[i]}`,
          '--peer-poll-ms',
          '500',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      procs.push(new Proc(`segcov ${'AB'[i]}`, child));
    }
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    const promConfig = path.join(tmp, 'prometheus.yml');
    await writeFile(
      promConfig,
      YAML.stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(configDir, 'segcov.rules.yml')],
        scrape_configs: [{ job_name: 'segcov', static_configs: [{ targets: nodes }] }],
      }),
    );
    const child = spawnPrometheus(prometheus, promConfig, tmp, promPort);
    procs.push(new Proc('prometheus', child));
    await waitFor('Prometheus to be ready', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined));
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    if (tmp !== '') await rm(tmp, { recursive: true, force: true });
  });

  test('both daemons are scraped (up == 1)', async () => {
    const up = await waitFor('both targets up', async () => {
      const rows = await query('up{job="segcov"} == 1');
      return rows.length === 2 ? rows : undefined;
    });
    assert.deepEqual(up.map((s) => s.metric.instance).sort(), [...nodes].sort());
  });

  test('raw_holes, raw_hole_duration and raw_coverage of the known hours come back as worked out by hand', async () => {
    const [a, b] = nodes;
    const holes = await waitFor('raw_holes of three hours on node A', async () => {
      const h = await byHour('raw_holes', a);
      return Object.keys(h).length === 3 ? h : undefined;
    });
    assert.deepEqual(holes, { [T0]: 2, [T1]: 1, [T2]: 1 });
    const coverage = await byHour('raw_coverage', a);
    const holeTime = await byHour('raw_hole_duration', a);
    for (const [hour, e] of Object.entries(EXPECTED_A)) {
      assert.ok(Math.abs(coverage[hour] - e.raw_coverage) < 1e-9, `raw_coverage ${hour}: ${coverage[hour]} ≠ ${e.raw_coverage}`);
      assert.ok(
        Math.abs(holeTime[hour] - e.raw_hole_duration) < 1e-9,
        `raw_hole_duration ${hour}: ${holeTime[hour]} ≠ ${e.raw_hole_duration}`,
      );
    }
    const bad = await query(`segment_count{instance="${a}",hour="${T2}",type=~"bad|partial"}`);
    assert.deepEqual(Object.fromEntries(bad.map((s) => [s.metric.type, Number(s.value[1])])), { bad: 1, partial: 1 });
    assert.deepEqual(await byHour('raw_holes', b), { [T0]: 0 });
    assert.deepEqual(await byHour('raw_coverage', b), { [T0]: 3600 });
    const errors = await query(`segcov_store_errors_total{instance="${a}",kind="bad_name"}`);
    assert.equal(errors.length, 1);
    assert.equal(Number(errors[0].value[1]), 1, 'one bad name, counted once however many passes see it');
  });

  test('the fleet recording rules evaluate to the best copy of each hour', async () => {
    const sel = '{channel="chan",quality="source"}';
    const asMap = (rows: Sample[]): Record<string, number> => Object.fromEntries(rows.map((s) => [s.metric.hour, Number(s.value[1])]));
    const best = await waitFor('channel_quality_hour:raw_coverage:max', async () => {
      const m = asMap(await query(`channel_quality_hour:raw_coverage:max${sel}`));
      return Object.keys(m).length === 3 && m[T0] === 3600 ? m : undefined;
    });
    assert.deepEqual(best, { [T0]: 3600, [T1]: 4.995, [T2]: 4 });
    const fewest = await waitFor('channel_quality_hour:raw_holes:min', async () => {
      const m = asMap(await query(`channel_quality_hour:raw_holes:min${sel}`));
      return Object.keys(m).length === 3 && m[T0] === 0 ? m : undefined;
    });
    assert.deepEqual(fewest, { [T0]: 0, [T1]: 1, [T2]: 1 });
    assert.deepEqual(asMap(await query(`channel_quality_hour:nodes:count${sel}`)), { [T0]: 2, [T1]: 1, [T2]: 1 });
    assert.deepEqual(asMap(await query(`channel_quality_hour:nodes_without_raw_holes:count${sel}`)), { [T0]: 1, [T1]: 0, [T2]: 0 });
    const newest = await query(`channel_quality:segcov_newest_segment_end_timestamp_seconds:max${sel}`);
    assert.equal(newest.length, 1);
    assert.equal(Number(newest[0].value[1]), (H + 2) * 3600 + 34, 'newest end of any node: the partial segment ending at T2+34 s');
  });

  test('the fleet gauges: node A lacks 3592 s of T0 that node B holds; the rest of its holes no node has', async () => {
    const a = `{job="segcov",instance="${nodes[0]}",channel="chan",quality="source"}`;
    const local = await waitFor('segcov_local_only_hole_seconds of A', async () => {
      const rows = await query(`segcov_local_only_hole_seconds${a}`);
      return rows.length === 1 && Number(rows[0].value[1]) > 0 ? Number(rows[0].value[1]) : undefined;
    });
    assert.equal(local, 3592);
    const fleet = await query(`segcov_fleet_hole_seconds${a}`);
    assert.equal(Number(fleet[0].value[1]), 3595 + 30, 'T1 from 00:05 to T2 00:30: nobody has it');
    const up = await query('segcov_peer_up{job="segcov"}');
    assert.deepEqual(up.map((r) => [r.metric.peer, Number(r.value[1])]).sort(), [
      ['node-a', 1],
      ['node-b', 1],
    ]);
    const rule = await waitFor('channel_quality:segcov_local_only_hole_seconds:max', async () => {
      const rows = await query('channel_quality:segcov_local_only_hole_seconds:max{channel="chan",quality="source"}');
      return rows.length === 1 && Number(rows[0].value[1]) === 3592 ? rows : undefined;
    });
    assert.equal(rule.length, 1);
  });

  test('every rule of config/segcov.rules.yml has been evaluated without error', async () => {
    interface Rule {
      name: string;
      health: string;
      lastError?: string;
      lastEvaluation: string;
    }
    const groups = await waitFor('every rule evaluated', async () => {
      const r = await api<{ groups: Array<{ name: string; rules: Rule[] }> }>('/api/v1/rules');
      const all = r.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((x) => !x.lastEvaluation.startsWith('0001-')) ? r.data.groups : undefined;
    });
    assert.deepEqual(groups.map((g) => g.name).sort(), ['segcov-alerts', 'segcov-fleet', 'segcov-fleet-holes', 'segcov-hole-history']);
    for (const rule of groups.flatMap((g) => g.rules)) {
      assert.equal(rule.health, 'ok', `rule ${rule.name}: ${rule.lastError}`);
    }
  });

  test('alerts: recording stalled is pending on the node behind the fleet only; no recent-hour hole alert for a node Prometheus has just met', async () => {
    interface Alert {
      labels: Record<string, string>;
      state: string;
    }
    // b's newest segment ends at T0's end, an hour behind a's: b stalled while a recorded.
    // a is the newest of the fleet: not stalled, however old its segments are (issue 11).
    const stalled = await waitFor('SegcovRecordingStalled pending on b', async () => {
      const r = await api<{ alerts: Alert[] }>('/api/v1/alerts');
      const s = r.data.alerts.filter((x) => x.labels.alertname === 'SegcovRecordingStalled');
      return s.length === 1 ? s : undefined;
    });
    assert.deepEqual(
      stalled.map((x) => x.labels.instance),
      [nodes[1]],
    );
    assert.ok(
      stalled.every((x) => x.state === 'pending'),
      'pending (for: 5m), not yet firing',
    );
    const r = await api<{ alerts: Alert[] }>('/api/v1/alerts');
    const names = new Set(r.data.alerts.map((x) => x.labels.alertname));
    for (const quiet of [
      'SegcovRecentHourHole',
      'SegcovFleetRecentHourHole',
      'SegcovDown',
      'SegcovAbsent',
      'SegcovRecordingStoppedMidStream',
      'SegcovMissingHour',
    ]) {
      assert.ok(!names.has(quiet), `${quiet} is active: ${JSON.stringify(r.data.alerts)}`);
    }
  });

  test('every query of the Grafana dashboard runs without error (instant and range) and finds data', async () => {
    const d = loadDashboard();
    // Grafana formats a multi-value variable as an escaped regex alternation.
    const vars = {
      job: 'segcov',
      node: `(${nodes.map((n) => n.replace(/\./g, '\\\\.')).join('|')})`,
      channel: 'chan',
      quality: 'source',
    };
    // Let the rate()/increase() panels have a minute-window with at least two samples.
    await waitFor('two samples of segcov_passes_total', async () => {
      const rows = await query('count_over_time(segcov_passes_total[1m])');
      return rows.length === 2 && rows.every((s) => Number(s.value[1]) >= 2) ? true : undefined;
    });
    const now = Date.now() / 1000;
    const queries = panelQueries(d);
    assert.ok(queries.length >= 20);
    const empty: string[] = [];
    for (const q of queries) {
      const expr = substituteVars(q.expr, vars);
      const instant = await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}&time=${now}`);
      assert.equal(instant.status, 'success', `${q.panel} ${q.refId}: ${expr}\n${instant.errorType}: ${instant.error}`);
      const range = await api<{ result: unknown[] }>(
        `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${now - 60}&end=${now}&step=5`,
      );
      assert.equal(range.status, 'success', `${q.panel} ${q.refId} (range): ${expr}\n${range.errorType}: ${range.error}`);
      if (instant.data.result.length === 0 && !MAY_BE_EMPTY.has(q.panel)) empty.push(`${q.panel} ${q.refId}: ${expr}`);
    }
    assert.deepEqual(empty, [], 'dashboard queries that found nothing');

    // The template variables: label_values(SELECTOR, LABEL) as Grafana asks for it (series API).
    const expected: Record<string, string[]> = { job: ['segcov'], node: [...nodes].sort(), channel: ['chan'], quality: ['source'] };
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      const { selector, label } = parseLabelValues(variableQuery(v));
      const sel = substituteVars(selector, vars);
      const r = await api<Array<Record<string, string>>>(`/api/v1/series?match[]=${encodeURIComponent(sel)}&start=${now - 300}&end=${now}`);
      assert.equal(r.status, 'success', `variable ${v.name}: ${sel}: ${r.error}`);
      const values = [...new Set(r.data.map((s) => s[label]).filter((x) => x !== undefined))].sort();
      assert.deepEqual(values, expected[v.name], `values of $${v.name}`);
    }
  });

  test("the dashboard's window panels read, through Prometheus, what each node's status page headlines", async () => {
    const d = loadDashboard();
    const vars = { job: 'segcov', node: `(${nodes.map((n) => n.replace(/\./g, '\\\\.')).join('|')})`, channel: 'chan', quality: 'source' };
    const exprOf = (metric: string): string => {
      const p = d.panels.find((x) => x.type === 'stat' && (x.targets?.[0].expr ?? '').includes(metric));
      assert.ok(p !== undefined, `no stat panel reads ${metric}`);
      return substituteVars(p.targets?.[0].expr ?? '', vars);
    };
    interface Headline {
      channel: string;
      quality: string;
      coverage_pct: number | null;
      longest_hole_us: number;
      missing_hours: number;
      state: 'ok' | 'warn' | 'bad' | null;
    }
    for (const node of nodes) {
      const page = ((await (await fetch(`http://${node}/api/v1/fleet`)).json()) as { qualities: Headline[] }).qualities.find(
        (q) => q.channel === 'chan' && q.quality === 'source',
      );
      assert.ok(page !== undefined && page.coverage_pct !== null && page.state !== null);
      const want: Array<[string, number]> = [
        ['segcov_window_length_seconds', Math.floor(page.coverage_pct * 100) / 100], // the page's percentage, floored as it shows it
        ['segcov_window_longest_hole_seconds', page.longest_hole_us / 1e6],
        ['segcov_window_missing_hour_slots', page.missing_hours],
        ['segcov_window_state', { ok: 0, warn: 1, bad: 2 }[page.state]],
      ];
      for (const [metric, value] of want) {
        const rows = await waitFor(`${metric} panel of ${node}`, async () => {
          const r = (await query(exprOf(metric))).filter((x) => x.metric.instance === node);
          return r.length === 1 ? r : undefined;
        });
        assert.equal(Number(rows[0].value[1]), value, `${metric} panel of ${node}`);
      }
    }
  });

  test("the dashboard's coverage-map panel URLs resolve on each node: the PNG map and the status page", async () => {
    const d = loadDashboard();
    const panel = d.panels.find((p) => p.type === 'text' && p.repeat === 'node');
    const html = panel?.options?.content ?? '';
    const src = /<img [^>]*src="([^"]+)"/.exec(html)?.[1] ?? '';
    const href = /<a [^>]*href="([^"]+)"/.exec(html)?.[1] ?? '';
    for (const node of nodes) {
      // the URL variables at their defaults (segcov's own layout)
      const defaults = Object.fromEntries(d.templating.list.filter((v) => v.type === 'textbox').map((v) => [v.name, variableQuery(v)]));
      const vars = { ...defaults, node, channel: 'chan', quality: 'source' };
      const mapUrl = substituteVars(src, vars);
      const { png, corp } = await waitFor(`${mapUrl}`, async () => {
        const res = await fetch(mapUrl);
        return res.ok ? { png: Buffer.from(await res.arrayBuffer()), corp: res.headers.get('cross-origin-resource-policy') } : undefined;
      });
      // Grafana shows it from another origin: the node must not forbid cross-origin embedding.
      assert.ok(corp === null || corp === 'cross-origin', `${mapUrl}: Cross-Origin-Resource-Policy ${corp} blocks the Grafana panel`);
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${mapUrl} is not a PNG`);
      const page = await fetch(substituteVars(href, vars));
      assert.equal(page.status, 200, `status page ${substituteVars(href, vars)}`);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    }
  });
});
