import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { waitFor } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { configDir, freePort, requireBinary, run } from './opsHelpers.js';

const amConfig = path.join(configDir, 'alertmanager.example.yml');

/** Where each severity of segcov.rules.yml must go. A new severity fails here until it is routed. */
const RECEIVER_BY_SEVERITY: Readonly<Record<string, string>> = {
  critical: 'segcov-page',
  warning: 'segcov-chat',
  info: 'segcov-digest',
};

interface Rule {
  alert?: string;
  labels?: Record<string, string>;
}
const alerts = (YAML.parse(readFileSync(path.join(configDir, 'segcov.rules.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups
  .flatMap((g) => g.rules)
  .filter((r): r is Rule & { alert: string } => r.alert !== undefined);

function amtool(args: readonly string[]): { status: number | null; out: string } {
  const r = run(requireBinary('amtool', 'prometheus-alertmanager'), args);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('Alertmanager example (config/alertmanager.example.yml)', () => {
  test('amtool check-config accepts it', () => {
    const r = amtool(['check-config', amConfig]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SUCCESS/);
    assert.match(r.out, /1 inhibit rules/);
  });

  test("amtool config routes test: every alert of segcov.rules.yml goes to its severity's receiver", () => {
    assert.ok(alerts.length >= 15, `only ${alerts.length} alerts`);
    for (const a of alerts) {
      const labels: Record<string, string> = { alertname: a.alert, ...a.labels };
      const want = RECEIVER_BY_SEVERITY[labels.severity ?? ''];
      assert.ok(want !== undefined, `${a.alert}: severity ${labels.severity} has no receiver in this test`);
      const r = amtool([
        'config',
        'routes',
        'test',
        `--config.file=${amConfig}`,
        `--verify.receivers=${want}`,
        ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
      ]);
      assert.equal(r.status, 0, `${a.alert}: ${r.out}`);
      assert.equal(
        r.out
          .split('\n')
          .filter((l) => l !== '' && !l.startsWith('Warning:'))
          .join('\n'),
        want,
        a.alert,
      );
    }
    // amtool really verifies: a critical alert is not for the chat
    assert.notEqual(
      amtool(['config', 'routes', 'test', `--config.file=${amConfig}`, '--verify.receivers=segcov-chat', 'severity=critical']).status,
      0,
    );
  });

  test('prometheus.yml sends the alerts to it on localhost:9093', () => {
    const prom = YAML.parse(readFileSync(path.join(configDir, 'prometheus.yml'), 'utf8')) as {
      alerting?: { alertmanagers?: Array<{ static_configs?: Array<{ targets?: string[] }> }> };
    };
    const targets = (prom.alerting?.alertmanagers ?? []).flatMap((m) => (m.static_configs ?? []).flatMap((s) => s.targets ?? []));
    assert.deepEqual(targets, ['localhost:9093']);
  });
});

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}
interface AmGroup {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: AmAlert[];
}

describe('a real Alertmanager with the example config', () => {
  let dir = '';
  let am: ChildProcess | undefined;
  let url = '';
  let log = '';

  const post = async (list: Array<{ labels: Record<string, string>; endsAt?: string }>): Promise<void> => {
    const r = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(list),
    });
    assert.equal(r.status, 200, await r.text());
  };
  /** receiver {group labels}: alertname@instance=state, ... (sorted), for one readable comparison. */
  const groups = async (): Promise<string[]> => {
    const gs = (await (await fetch(`${url}/api/v2/alerts/groups`)).json()) as AmGroup[];
    return gs
      .map(
        (g) =>
          `${g.receiver.name} ${JSON.stringify(g.labels)}: ${g.alerts
            .map((a) => `${a.labels.alertname}@${a.labels.instance ?? '-'}=${a.status.state}`)
            .sort()
            .join(', ')}`,
      )
      .sort();
  };

  before(async () => {
    const bin = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
    dir = await makeTmpDir('ops-am');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    am = spawn(
      bin,
      [
        `--config.file=${amConfig}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    am.stderr?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    await waitFor(`Alertmanager ready\n${log}`, async () => ((await fetch(`${url}/-/ready`).catch(() => null))?.ok ? true : undefined));
  });
  after(async () => {
    if (am !== undefined && am.exitCode === null) {
      const exited = new Promise((r) => am?.once('exit', r));
      am.kill('SIGTERM');
      await exited;
    }
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  test("groups by channel and quality, routes by severity, and holds back a down node's alerts until SegcovDown ends", async () => {
    const node = (instance: string): Record<string, string> => ({ job: 'segcov', instance });
    const down = { labels: { alertname: 'SegcovDown', severity: 'warning', ...node('a:8006') } };
    await post([
      down,
      { labels: { alertname: 'SegcovRecordingStalled', severity: 'warning', ...node('a:8006'), channel: 'c', quality: 'source' } },
      { labels: { alertname: 'SegcovRecordingStalled', severity: 'warning', ...node('b:8006'), channel: 'c', quality: 'source' } },
      { labels: { alertname: 'SegcovStoreErrorsRising', severity: 'warning', ...node('a:8006'), kind: 'bad_name' } },
      { labels: { alertname: 'SegcovFleetMissingHour', severity: 'critical', channel: 'c', quality: 'source' } },
      { labels: { alertname: 'SegcovWatcherDegraded', severity: 'info', ...node('b:8006') } },
    ]);
    const held = [
      'segcov-chat {"channel":"c","quality":"source"}: SegcovRecordingStalled@a:8006=suppressed, SegcovRecordingStalled@b:8006=active',
      'segcov-chat {}: SegcovDown@a:8006=active, SegcovStoreErrorsRising@a:8006=suppressed',
      'segcov-digest {}: SegcovWatcherDegraded@b:8006=active',
      'segcov-page {"channel":"c","quality":"source"}: SegcovFleetMissingHour@-=active',
    ];
    // the inhibitor sees new alerts a moment after they are posted
    let last: string[] = [];
    await waitFor("a's alerts held back", async () => {
      last = await groups();
      return last.join('\n') === held.join('\n') ? true : undefined;
    }).catch(() => assert.deepEqual(last, held));

    await post([{ ...down, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    await waitFor("a's alerts back once SegcovDown resolved", async () => {
      last = await groups();
      return last.some((g) => g.includes('SegcovRecordingStalled@a:8006=active')) ? true : undefined;
    }).catch(() => assert.fail(`still held back:\n${last.join('\n')}`));
    assert.ok(!last.join('\n').includes('suppressed'), last.join('\n'));
  });
});
