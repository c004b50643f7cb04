import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROBLEM_KINDS } from '../../src/store/problems.js';
import { ERROR_KINDS } from '../../src/outputs/metrics/selfMetrics.js';
import { parseProm, startDaemon, type RunningDaemon } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { buildStore, SAMPLE_SPEC } from '../web/helpers/webFixture.js';
import { repoRoot, requireBinary } from './opsHelpers.js';

/**
 * What promtool may flag in a scrape, exactly: two inherited per-hour gauge names ("_count" on a
 * gauge) that segcov keeps byte-identical for wubloader's dashboards and rules. Nothing else.
 */
const INHERITED_FLAGGED = ['overlap_count', 'segment_count'];

describe('/metrics of a running daemon', () => {
  let dir: string;
  let d: RunningDaemon;
  let text: string;

  before(async () => {
    dir = await makeTmpDir('lint');
    await buildStore(path.join(dir, 'store'), SAMPLE_SPEC);
    d = await startDaemon(
      ['desertbus', '--base-dir', path.join(dir, 'store'), '--qualities', 'source,480p', '--no-watch', '--log-level', 'error'],
      { readyTimeoutMs: 60_000 },
    );
    text = await (await fetch(`${d.url}/metrics`)).text();
  });
  after(async () => {
    await d?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('promtool check metrics flags only the inherited names (prom-client defaults included)', () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 60_000 });
    const complaints = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
    const flagged = [...new Set(complaints.map((l) => l.split(' ')[0]))].sort();
    assert.deepEqual(flagged, INHERITED_FLAGGED, `promtool check metrics:\n${complaints.join('\n')}`);
    // prom-client's counter-named gauges are gone; their per-type series stay
    assert.doesNotMatch(text, /^nodejs_active_(handles|requests|resources)_total\b/m);
    assert.match(text, /^# TYPE nodejs_active_handles gauge$/m);
    assert.match(text, /^nodejs_active_handles\{type="[A-Za-z]+"\} \d+$/m);
  });

  it('every labelled error counter exists at 0 for every kind from the start', () => {
    const m = parseProm(text);
    for (const kind of PROBLEM_KINDS) assert.equal(m.get(`segcov_store_errors_total{kind="${kind}"}`), 0, `store error kind ${kind}`);
    for (const kind of ERROR_KINDS) assert.equal(m.get(`segcov_errors_total{kind="${kind}"}`), 0, `error kind ${kind}`);
    for (const q of ['source', '480p']) {
      assert.equal(m.get(`segcov_live_mismatches_total{channel="desertbus",quality="${q}"}`), 0);
      assert.equal(m.get(`segcov_live_updates_total{channel="desertbus",quality="${q}"}`), 0);
    }
  });

  it('segcov_build_info carries the version and nodejs_version; segcov_hours is now segcov_hour_folders', () => {
    assert.match(text, /^segcov_build_info\{version="\d+\.\d+\.\d+[^"]*",nodejs_version="v\d+[^"]*"\} 1$/m);
    assert.doesNotMatch(text, /^segcov_hours\{/m);
    assert.match(text, /^segcov_hour_folders\{channel="desertbus",quality="source"\} 3$/m);
  });

  it('the window gauges are there for every channel and quality, with help texts pointing to docs/coverage.md', () => {
    for (const name of [
      'segcov_window_holes',
      'segcov_window_hole_seconds',
      'segcov_window_longest_hole_seconds',
      'segcov_window_missing_hour_slots',
      'segcov_window_length_seconds',
      'segcov_window_state',
    ]) {
      assert.match(text, new RegExp(`^# HELP ${name} .*docs/coverage\\.md`, 'm'));
    }
    const m = parseProm(text);
    assert.equal(m.get('segcov_window_holes{channel="desertbus",quality="source"}'), 2);
    assert.equal(m.get('segcov_window_longest_hole_seconds{channel="desertbus",quality="source"}'), 300);
    assert.equal(m.get('segcov_window_state{channel="desertbus",quality="source"}'), 2, 'a 5 min hole: bad');
  });

  it('serves docs/coverage.md, and the page links it', async () => {
    const r = await fetch(`${d.url}/docs/coverage.md`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.match(await r.text(), /^# What segcov's numbers mean\n[\s\S]*## The window and its holes/);
    // The page draws its link from its data (test/web/statusPage.e2e.test.ts sees the drawn <a class="docs">).
    assert.match(await (await fetch(`${d.url}/`)).text(), /"docs_url":"docs\/coverage\.md"/);
  });

  it("serves docs/alerts.md, where the rules' runbook_url links point", async () => {
    const r = await fetch(`${d.url}/docs/alerts.md`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.equal(await r.text(), await readFile(path.join(repoRoot, 'docs', 'alerts.md'), 'utf8'));
  });
});
