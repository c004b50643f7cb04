import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { makeTmpDir } from '../helpers/tmp.js';
import {
  allPanels,
  type DashboardPanel,
  loadDashboard,
  panelQueries,
  parseLabelValues,
  requireBinary,
  run,
  substituteVars,
  usedVariables,
  variableQuery,
} from './opsHelpers.js';

/** A stat panel's field defaults, as far as the state panel's checks read them. */
interface StatDefaults {
  mappings?: { type: string; options: Record<string, { text: string; color?: string }> }[];
  thresholds?: { mode: string; steps: { color: string; value: number | null }[] };
}

/** Values standing in for the dashboard's variables when a query is only syntax-checked. */
const SAMPLE_VARS = {
  job: 'segcov',
  node: 'recorder1:8006',
  channel: 'chan',
  quality: 'source',
  datasource: 'prom',
  map_url_prefix: 'http://',
  map_url_suffix: '/maps',
  page_url_suffix: '/',
};
/** The same under wubloader's own scrape layout: job http-segment_coverage, instance = node name. */
const WUBLOADER_VARS = {
  ...SAMPLE_VARS,
  job: 'http-segment_coverage',
  node: 'mynode',
  map_url_prefix: 'https://',
  map_url_suffix: '.example.org/segments/coverage-maps',
  page_url_suffix: '.example.org/segments/coverage-maps/index.html',
};

describe('Grafana dashboard (config/grafana/segcov-dashboard.json)', () => {
  const d = loadDashboard();
  const panels = allPanels(d);

  test('is an importable dashboard: uid, title, unique panel ids, sane grid positions', () => {
    assert.equal(d.uid, 'segcov-coverage');
    assert.ok(d.title.length > 0);
    const ids = panels.map((p) => p.id);
    assert.ok(
      ids.every((id) => Number.isInteger(id)),
      'every panel needs an integer id',
    );
    assert.equal(new Set(ids).size, ids.length, 'panel ids must be unique');
    for (const p of panels) {
      const g = p.gridPos;
      assert.ok(g !== undefined, `${p.title}: no gridPos`);
      assert.ok(
        g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0 && g.y >= 0,
        `${p.title}: gridPos ${JSON.stringify(g)} outside the 24-column grid`,
      );
    }
  });

  test('every query panel reads the Prometheus data source chosen in the $datasource variable', () => {
    const ds = d.templating.list.find((v) => v.name === 'datasource');
    assert.equal(ds?.type, 'datasource');
    for (const p of panels.filter((x) => (x.targets ?? []).length > 0)) {
      assert.equal(p.datasource?.uid, '${datasource}', `${p.title}: panel data source`);
      for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, '${datasource}', `${p.title} ${t.refId}: target data source`);
    }
  });

  test('covers what the issue asks for: coverage by hour, holes, overlaps, newest segment age, per node', () => {
    const exprs = panelQueries(d)
      .map((q) => q.expr)
      .join('\n');
    for (const metric of [
      'raw_coverage',
      'raw_holes',
      'raw_hole_duration',
      'editable_holes',
      'overlap_count',
      'overlap_duration',
      'segcov_newest_segment_end_timestamp_seconds',
      'channel_quality_hour:raw_coverage:max',
      'up{',
      'segcov_window_hole_seconds',
      'segcov_window_length_seconds',
      'segcov_window_longest_hole_seconds',
      'segcov_window_missing_hour_slots',
      'segcov_window_state',
    ])
      assert.ok(exprs.includes(metric), `no panel queries ${metric}`);
    const byHour = panels.find((p) => p.title?.startsWith('Raw coverage by hour'));
    assert.ok(byHour !== undefined);
    assert.match(byHour.targets?.[0].expr ?? '', /raw_coverage\{[^}]*instance=~"\$node"/);
    assert.equal(byHour.targets?.[0].instant, true);
    assert.equal(byHour.targets?.[0].format, 'table');
  });

  test('a window row shows what the status page headlines, per node, its state in the right quarter', () => {
    const rows = panels.filter((p) => p.type === 'row').sort((a, b) => a.gridPos!.y - b.gridPos!.y);
    const i = rows.findIndex((p) => p.title?.startsWith('Window'));
    assert.ok(i >= 0, 'a row titled Window');
    const top = rows[i].gridPos!.y;
    const bottom = rows[i + 1]?.gridPos?.y ?? Infinity;
    assert.equal(i, 1, 'right under the "Now" row');
    const inRow = panels.filter((p) => p.type !== 'row' && p.gridPos!.y > top && p.gridPos!.y < bottom);
    const byMetric = (m: string): DashboardPanel | undefined => inRow.find((p) => (p.targets?.[0].expr ?? '').includes(m));
    const sel = '\\{job="\\$job",instance=~"\\$node",channel="\\$channel",quality="\\$quality"\\}';
    // The page's coverage: (window − holes) / window, floored to 0.01 % (100 % only without a hole); none without a window.
    const cov = byMetric('segcov_window_length_seconds');
    assert.match(
      cov?.targets?.[0].expr ?? '',
      new RegExp(
        `^floor\\(10000 \\* \\(segcov_window_length_seconds${sel} - segcov_window_hole_seconds${sel}\\) / \\(segcov_window_length_seconds${sel} > 0\\)\\) / 100$`,
      ),
    );
    assert.equal(cov?.fieldConfig?.defaults?.unit, 'percent');
    assert.match(
      byMetric('segcov_window_longest_hole_seconds')?.targets?.[0].expr ?? '',
      new RegExp(`^segcov_window_longest_hole_seconds${sel}$`),
    );
    assert.equal(byMetric('segcov_window_longest_hole_seconds')?.fieldConfig?.defaults?.unit, 's');
    assert.match(
      byMetric('segcov_window_missing_hour_slots')?.targets?.[0].expr ?? '',
      new RegExp(`^segcov_window_missing_hour_slots${sel}$`),
    );
    for (const p of inRow) assert.equal(p.targets?.[0].legendFormat, '{{instance}}', `${p.title}: one value per node`);
    // the pair's state (ok, warn, bad) in the row's right quarter, beside the three figures
    assert.equal(inRow.length, 4);
    const state = byMetric('segcov_window_state');
    assert.ok(state !== undefined, 'a panel reads segcov_window_state');
    assert.equal(state.title, 'State');
    assert.equal(state.type, 'stat');
    assert.match(state.targets?.[0].expr ?? '', new RegExp(`^segcov_window_state${sel}$`));
    assert.equal(state.targets?.[0].instant, true);
    assert.deepEqual({ x: state.gridPos!.x, w: state.gridPos!.w }, { x: 18, w: 6 }, 'columns 18-24');
    assert.ok(
      inRow.filter((p) => p !== state).every((p) => p.gridPos!.x + p.gridPos!.w <= 18),
      'the three figures keep columns 0-18',
    );
    const heights = new Set(inRow.map((p) => `${p.gridPos!.y}/${p.gridPos!.h}`));
    assert.equal(heights.size, 1, 'one line of panels of one height');
    // 0 ok green, 1 warn orange, 2 bad red: words by value mappings, colours by thresholds (and the mappings)
    const defaults = state.fieldConfig?.defaults as StatDefaults | undefined;
    const words = Object.fromEntries(Object.entries(defaults?.mappings?.[0]?.options ?? {}).map(([v, o]) => [v, [o.text, o.color]]));
    assert.deepEqual(words, { 0: ['ok', 'green'], 1: ['warn', 'orange'], 2: ['bad', 'red'] });
    assert.deepEqual(defaults?.thresholds?.steps, [
      { color: 'green', value: null },
      { color: 'orange', value: 1 },
      { color: 'red', value: 2 },
    ]);
    assert.equal((state.options as { colorMode?: string } | undefined)?.colorMode, 'background');
  });

  test("a coverage-map panel repeats per node, shows that node's map PNG and links its status page", () => {
    const maps = panels.filter((p) => p.type === 'text' && p.repeat === 'node');
    assert.equal(maps.length, 1, 'one text panel repeated over $node');
    const html = maps[0].options?.content ?? '';
    assert.equal(maps[0].options?.mode, 'html');
    const img = /<img [^>]*src="([^"]+)"/.exec(html);
    assert.ok(img !== null, 'the panel shows an image');
    const src = substituteVars(img[1], SAMPLE_VARS);
    assert.equal(src, 'http://recorder1:8006/maps/chan_source_coverage.png');
    const links = [...html.matchAll(/<a [^>]*href="([^"]+)"/g)].map((m) => substituteVars(m[1], SAMPLE_VARS));
    assert.ok(links.includes('http://recorder1:8006/'), `no link to the status page in ${links.join(', ')}`);
    assert.ok(
      maps[0].links?.some((l) => substituteVars(l.url, SAMPLE_VARS) === 'http://recorder1:8006/'),
      'panel link to the status page',
    );
    // wubloader's layout: the node's name is no address; its nginx serves the maps under /segments/
    assert.equal(substituteVars(img[1], WUBLOADER_VARS), 'https://mynode.example.org/segments/coverage-maps/chan_source_coverage.png');
    assert.ok(links.length > 0 && links.every((l) => l === 'http://recorder1:8006/'));
    // the defaults are segcov's own layout
    for (const [name, value] of [
      ['map_url_prefix', 'http://'],
      ['map_url_suffix', '/maps'],
      ['page_url_suffix', '/'],
    ]) {
      assert.equal(d.templating.list.find((v) => v.name === name)?.query, value, name);
    }
    const node = d.templating.list.find((v) => v.name === 'node');
    assert.equal(node?.multi, true);
    assert.equal(node?.includeAll, true);
  });

  test('a native panel (Grafana draws raw_coverage/3600 per hour and node) sits beside the map image panel', () => {
    const maps = panels.find((p) => p.type === 'text' && p.repeat === 'node');
    const native = panels.find((p) => p.type === 'state-timeline' || p.type === 'heatmap');
    assert.ok(maps !== undefined && native !== undefined, 'a state timeline or heatmap panel');
    const expr = native.targets?.[0].expr ?? '';
    assert.match(expr, /^raw_coverage\{[^}]*instance=~"\$node"[^}]*\} \/ 3600$/);
    assert.match(native.targets?.[0].legendFormat ?? '', /\{\{instance\}\}.*\{\{hour\}\}/, 'one row per node and hour');
    const a = maps.gridPos!;
    const b = native.gridPos!;
    assert.equal(a.y, b.y, 'same row as the image panel');
    assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x, 'side by side, not overlapping');
    assert.equal(
      (maps as { repeatDirection?: string }).repeatDirection,
      'v',
      'repeated maps stack downwards, so the native panel stays beside them',
    );
  });

  test("a fleet panel shows the fleet hole seconds (recorded rule) and this node's local-only hole seconds", () => {
    const fleet = panels.find((p) => (p.targets ?? []).some((t) => (t.expr ?? '').includes('segcov_fleet_hole_seconds')));
    assert.ok(fleet !== undefined);
    const exprs = (fleet.targets ?? []).map((t) => t.expr ?? '').join('\n');
    assert.match(exprs, /channel_quality:segcov_fleet_hole_seconds:min\{channel="\$channel",quality="\$quality"\}/);
    assert.match(exprs, /segcov_local_only_hole_seconds\{job="\$job",instance=~"\$node"/);
    assert.ok(
      panels.some((p) => (p.targets ?? []).some((t) => (t.expr ?? '').startsWith('segcov_peer_up{'))),
      'peer reachability shown',
    );
  });

  test('every variable a query or panel uses is defined; channel and quality pick one value (one map each)', () => {
    const defined = new Set(d.templating.list.map((v) => v.name));
    const used = new Set<string>();
    for (const q of panelQueries(d)) for (const v of usedVariables(q.expr)) used.add(v);
    for (const p of panels) {
      for (const v of usedVariables(`${p.title ?? ''} ${p.options?.content ?? ''} ${JSON.stringify(p.links ?? [])}`)) used.add(v);
    }
    for (const v of d.templating.list) for (const u of usedVariables(variableQuery(v))) used.add(u);
    for (const v of used) assert.ok(defined.has(v) || v.startsWith('__'), `variable $${v} is used but not defined`);
    for (const name of ['channel', 'quality']) {
      const v = d.templating.list.find((x) => x.name === name);
      assert.equal(v?.multi, false, `$${name} must be single-valued: the map file name holds one ${name}`);
    }
  });

  test('every panel query and variable selector is valid PromQL (promtool check rules)', async () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const queries = panelQueries(d);
    assert.ok(queries.length >= 20, `only ${queries.length} queries found`);
    const rules = queries.map((q, i) => ({ record: `dashboard_query_${i}`, expr: substituteVars(q.expr, SAMPLE_VARS) }));
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      const { selector } = parseLabelValues(variableQuery(v));
      rules.push({ record: `dashboard_variable_${v.name}`, expr: substituteVars(selector, SAMPLE_VARS) });
    }
    const dir = await makeTmpDir('ops-dash');
    try {
      const file = path.join(dir, 'dashboard-queries.yml');
      await writeFile(file, YAML.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const r = run(promtool, ['check', 'rules', file]);
      assert.equal(r.status, 0, `a dashboard query does not parse:\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('hard-codes no job name: every job matcher is $job, found from a segcov-only metric', () => {
    const texts = [...panelQueries(d).map((q) => q.expr), ...d.templating.list.map((v) => variableQuery(v))];
    for (const t of texts) {
      for (const m of t.matchAll(/job\s*=~?\s*"([^"]*)"/g)) assert.equal(m[1], '$job', `literal job in ${t}`);
    }
    const job = d.templating.list.find((v) => v.name === 'job');
    assert.equal(variableQuery(job ?? ({ name: '' } as never)), 'label_values(segcov_passes_total, job)');
  });

  test('variable substitution refuses an unknown variable (so a typo cannot hide in a query)', () => {
    assert.throws(() => substituteVars('up{job="$jbo"}', SAMPLE_VARS), /unknown dashboard variable \$jbo/);
    assert.equal(substituteVars('a{c="${channel:percentencode}"}[$__rate_interval]', SAMPLE_VARS), 'a{c="chan"}[1m]');
  });
});
