import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { startDaemon, type RunningDaemon } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { buildStore, SAMPLE_SPEC } from '../web/helpers/webFixture.js';
import { configDir, loadDashboard, panelQueries, parseLabelValues, repoRoot, variableQuery } from './opsHelpers.js';
import { metricNames, resolvedNames, scrapedNames, type NamedRule } from './promqlNames.js';

/** Series Prometheus makes itself: no exporter has them. */
const PROMETHEUS_OWN = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

const rules = (
  YAML.parse(readFileSync(path.join(configDir, 'segcov.rules.yml'), 'utf8')) as { groups: Array<{ rules: NamedRule[] }> }
).groups.flatMap((g) => g.rules);

/** Every query that names metrics, with where it comes from. */
function queries(): Array<{ where: string; expr: string }> {
  const d = loadDashboard();
  const out = panelQueries(d).map((q) => ({ where: `dashboard "${q.panel}" ${q.refId}`, expr: q.expr }));
  for (const v of d.templating.list.filter((x) => x.type === 'query')) {
    out.push({ where: `dashboard variable $${v.name}`, expr: parseLabelValues(variableQuery(v)).selector });
  }
  for (const r of rules) out.push({ where: `rule ${r.alert ?? r.record}`, expr: r.expr });
  const doc = readFileSync(path.join(repoRoot, 'docs', 'alerts.md'), 'utf8');
  for (const m of doc.matchAll(/```promql\n([\s\S]*?)```/g)) out.push({ where: 'docs/alerts.md', expr: m[1] });
  return out;
}

describe('PromQL names (test/ops/promqlNames.ts)', () => {
  it('finds the selected metrics, not functions, aggregations, labels, keywords, strings or durations', () => {
    const expr = `sum by (job, instance) (increase(segcov_store_errors_total{kind!="vanished"}[30m])) > 0
      or max by (channel) (a:b:max offset 6h) - on (channel) group_right () c_total # d_total
      unless (time() - x > 1e6) and on () count(label_replace(y, "z", "$1", "w", "(.*)")) == bool 0`;
    assert.deepEqual([...metricNames(expr)].sort(), ['a:b:max', 'c_total', 'segcov_store_errors_total', 'x', 'y']);
  });

  it('resolves recording rules to the names they read', () => {
    assert.deepEqual([...resolvedNames('channel_quality_hour:raw_holes:min > 0 and up', rules)].sort(), ['raw_holes', 'up']);
  });
});

describe('every metric the dashboard, the rules and the runbooks query is in a live scrape', () => {
  let dir: string;
  let d: RunningDaemon;
  let scraped: Set<string>;

  before(async () => {
    dir = await makeTmpDir('queried');
    await buildStore(path.join(dir, 'store'), SAMPLE_SPEC);
    d = await startDaemon(
      ['desertbus', '--base-dir', path.join(dir, 'store'), '--qualities', 'source,480p', '--no-watch', '--log-level', 'error'],
      { readyTimeoutMs: 60_000 },
    );
    scraped = scrapedNames(await (await fetch(`${d.url}/metrics`)).text());
  });
  after(async () => {
    await d?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('names no metric segcov does not export (recording rules resolved to their inputs)', () => {
    const missing: string[] = [];
    const checked = new Set<string>();
    for (const q of queries()) {
      for (const name of resolvedNames(q.expr, rules)) {
        if (PROMETHEUS_OWN.has(name)) continue;
        checked.add(name);
        if (!scraped.has(name)) missing.push(`${name} (${q.where})`);
      }
    }
    assert.deepEqual(missing, [], 'queried but not exported');
    // the check covered what it should: window figures, inherited gauges behind the recording rules
    for (const name of [
      'segcov_window_missing_hour_slots',
      'segcov_window_length_seconds',
      'raw_coverage',
      'segcov_peer_up',
      'segcov_ready',
    ]) {
      assert.ok(checked.has(name), `${name} was never checked`);
    }
    assert.ok(![...checked].some((n) => n.includes(':')), 'a recording rule was left unresolved');
  });
});
