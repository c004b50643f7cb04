import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { makeTmpDir } from '../helpers/tmp.js';
import { configDir, requireBinary, run } from './opsHelpers.js';

const rulesFile = path.join(configDir, 'segcov.rules.yml');
const rulesTestFile = path.join(configDir, 'segcov.rules.test.yml');
const wubloaderTestFile = path.join(configDir, 'segcov.rules.wubloader.test.yml');
const promConfigFile = path.join(configDir, 'prometheus.yml');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}

async function loadRules(): Promise<Rule[]> {
  const doc = YAML.parse(await readFile(rulesFile, 'utf8')) as RuleFile;
  return doc.groups.flatMap((g) => g.rules);
}

describe('Prometheus rules (config/segcov.rules.yml)', () => {
  test('promtool check rules accepts the rule file', () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const r = run(promtool, ['check', 'rules', rulesFile]);
    assert.equal(r.status, 0, `promtool check rules failed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS: \d+ rules found/);
  });

  test('promtool test rules: every alert and recording rule behaves as its unit tests say', () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const r = run(promtool, ['test', 'rules', rulesTestFile]);
    assert.equal(r.status, 0, `promtool test rules failed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
  });

  test("promtool test rules under wubloader's scrape layout (job http-segment_coverage, instance = node name)", async () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const r = run(promtool, ['test', 'rules', wubloaderTestFile]);
    assert.equal(r.status, 0, `promtool test rules failed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
    const tests = await readFile(wubloaderTestFile, 'utf8');
    for (const name of ['SegcovRecentHourHole', 'SegcovFleetRecentHourHole', 'SegcovDown', 'SegcovAbsent']) {
      assert.match(tests, new RegExp(`alertname: ${name}\\b`), `${name} is not tested under wubloader's layout`);
    }
  });

  test('no rule names a scrape job, and no "absent" alert fires on a Prometheus without segcov', async () => {
    for (const rule of await loadRules()) {
      assert.doesNotMatch(rule.expr, /\bjob\s*(=|!=|=~|!~)\s*"/, `${rule.alert ?? rule.record} matches a job name: ${rule.expr}`);
      if (/\babsent\(/.test(rule.expr))
        assert.match(rule.expr, /\band\b/, `${rule.alert}: absent() alone fires wherever the metric never was`);
    }
  });

  test('the unit tests would catch a wrong expectation (promtool really compares)', async () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const dir = await makeTmpDir('ops-rules');
    try {
      const text = await readFile(rulesTestFile, 'utf8');
      const broken = text.replace('value: 3598', 'value: 3597');
      assert.notEqual(broken, text, 'the fleet editable-coverage expectation moved; update this test');
      await writeFile(path.join(dir, 'broken.test.yml'), broken.replace('- segcov.rules.yml', `- ${rulesFile}`));
      const r = run(promtool, ['test', 'rules', path.join(dir, 'broken.test.yml')]);
      assert.notEqual(r.status, 0, 'promtool passed a test with a wrong expected value');
      assert.match(r.stdout + r.stderr, /channel_quality_hour:editable_coverage:max/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('every alert the issue asks for is defined and unit-tested', async () => {
    const rules = await loadRules();
    const alerts = new Map(rules.filter((r) => r.alert !== undefined).map((r) => [r.alert as string, r]));
    const tests = (await readFile(rulesTestFile, 'utf8')) + (await readFile(wubloaderTestFile, 'utf8'));
    for (const [name, metric] of [
      ['SegcovRecentHourHole', 'raw_holes'],
      ['SegcovRecordingStalled', 'segcov_newest_segment_end_timestamp_seconds'],
      ['SegcovDown', 'up =='],
      ['SegcovStoreErrorsRising', 'segcov_store_errors_total'],
      // Issue 11: a whole missing hour pages; a stall is judged against the other nodes, or
      // on one node against how covered the hour before it was.
      ['SegcovMissingHour', 'segcov_window_missing_hour_slots'],
      ['SegcovRecordingStoppedMidStream', 'segcov_newest_hour_covered_seconds'],
      // Issue 25: a pair that turned bad (a long hole, a missing hour, a window missing the recording)
      ['SegcovWindowBad', 'segcov_window_state'],
    ] as const) {
      const rule = alerts.get(name);
      assert.ok(rule !== undefined, `alert ${name} is missing`);
      assert.ok(rule.expr.includes(metric), `${name} does not use ${metric}: ${rule.expr}`);
      assert.ok(rule.labels?.severity !== undefined, `${name} has no severity label`);
      assert.match(tests, new RegExp(`alertname: ${name}\\b`), `${name} has no promtool unit test`);
    }
    for (const [name, rule] of alerts) {
      assert.match(tests, new RegExp(`alertname: ${name}\\b`), `${name} has no promtool unit test`);
      assert.ok(rule.labels?.severity !== undefined, `${name} has no severity label`);
    }
  });

  test('fleet recording rules aggregate across nodes by channel, quality and hour', async () => {
    const rules = await loadRules();
    const records = new Map(rules.filter((r) => r.record !== undefined).map((r) => [r.record as string, r.expr]));
    assert.equal(records.get('channel_quality_hour:raw_coverage:max'), 'max by (channel, quality, hour) (raw_coverage)');
    assert.equal(records.get('channel_quality_hour:editable_coverage:max'), 'max by (channel, quality, hour) (editable_coverage)');
    assert.equal(records.get('channel_quality_hour:raw_holes:min'), 'min by (channel, quality, hour) (raw_holes)');
    const tests = await readFile(rulesTestFile, 'utf8');
    for (const name of records.keys()) assert.match(tests, new RegExp(`expr: ${name}\\b`), `${name} has no promtool unit test`);
  });

  test('promtool check config accepts the example scrape config and the rules it loads', async () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const r = run(promtool, ['check', 'config', promConfigFile]);
    assert.equal(r.status, 0, `promtool check config failed:\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS: 1 rule files found/);
    const doc = YAML.parse(await readFile(promConfigFile, 'utf8')) as { rule_files: string[]; scrape_configs: Array<{ job_name: string }> };
    assert.deepEqual(doc.rule_files, ['segcov.rules.yml']);
    assert.ok(
      doc.scrape_configs.some((s) => s.job_name === 'segcov'),
      'the example scrapes under job="segcov"',
    );
  });
});
