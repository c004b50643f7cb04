import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HISTORY_FILE } from '../../src/history/historyFile.js';
import { encodeRecord, type StoredIncident } from '../../src/history/historyRecords.js';
import { runCli } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const S = 1_000_000;
const H10 = Date.UTC(2026, 10, 1, 10) * 1000;

function incident(id: string, from: number, to: number, closedAt: number | null): StoredIncident {
  return {
    channel: 'c',
    quality: 'source',
    id,
    event: closedAt === null ? 'opened' : 'closed',
    at: closedAt ?? H10 + 7200 * S,
    span: { start: H10 + from * S, end: H10 + to * S },
    openedAt: H10 + 7200 * S,
    openedAtStart: false,
    open: closedAt === null ? [{ start: H10 + from * S, end: H10 + to * S }] : [],
    closedAt,
    closedHow: closedAt === null ? null : 'filled',
    downSince: null,
  };
}

interface ReportJson {
  history: string | null;
  qualities: Array<{
    coverage_percent: number;
    lost: Array<{ start: string; duration: number; opened_at: string | null }>;
    recovered: Array<{ start: string; fill_delay_seconds: number; while_down: unknown }>;
    longest: Array<{ duration: number; kind: string }>;
  }>;
}

describe('segcov report (no daemon running)', () => {
  let dir: string;
  let base: string;
  let history: string;

  before(async () => {
    dir = await makeTmpDir('report');
    base = path.join(dir, 'store');
    // hour 10 whole but for 600-700 s (still missing); 1000-1300 s was missing and has been filled
    fillHour(base, 'c', 'source', '2026-11-01T10', 0, 3600, new Set(Array.from({ length: 50 }, (_, k) => 600 + 2 * k)));
    fillHour(base, 'c', 'source', '2026-11-01T11', 0, 600);
    mkdirSync(path.join(base, 'coverage-maps'));
    history = path.join(base, 'coverage-maps', HISTORY_FILE);
    writeFileSync(
      history,
      [
        encodeRecord({ kind: 'incident', incident: incident('lost', 600, 700, null) }),
        encodeRecord({ kind: 'incident', incident: incident('back', 1000, 1300, H10 + 7200 * S + 1800 * S) }),
        encodeRecord({ kind: 'alive', at: H10 + 9000 * S }),
      ].join(''),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--json: coverage, the hole still missing with when it opened, the recovered one with its time to fill, the longest', async () => {
    const r = await runCli(['report', 'c', '--base-dir', base, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as ReportJson;
    assert.equal(j.history, history);
    const q = j.qualities[0];
    assert.equal(q.coverage_percent, ((4200 - 100) / 4200) * 100);
    assert.deepEqual(q.lost, [
      { start: '2026-11-01T10:10:00.000000Z', end: '2026-11-01T10:11:40.000000Z', duration: 100, opened_at: '2026-11-01T12:00:00.000000Z' },
    ]);
    assert.equal(q.recovered.length, 1);
    assert.equal(q.recovered[0].start, '2026-11-01T10:16:40.000000Z');
    assert.equal(q.recovered[0].fill_delay_seconds, 1800);
    assert.equal(q.recovered[0].while_down, null);
    assert.deepEqual(
      q.longest.map((h) => [h.duration, h.kind]),
      [
        [300, 'recovered'],
        [100, 'lost'],
      ],
    );
  });

  it('--since/--until narrow the range; the text and Markdown forms say the same', async () => {
    const narrow = JSON.parse(
      (await runCli(['report', 'c', '--base-dir', base, '--json', '--since', '2026-11-01T10:15:00Z', '--until', '2026-11-01T11:00:00Z']))
        .stdout,
    ) as ReportJson;
    assert.deepEqual(narrow.qualities[0].lost, []);
    assert.equal(narrow.qualities[0].recovered.length, 1);
    const text = await runCli(['report', 'c', '--base-dir', base]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /still missing \(lost unless imported\):/);
    assert.match(
      text.stdout,
      /2026-11-01 10:16:40 +2026-11-01 10:21:40 +5 min 00 s +2026-11-01 12:00:00 +2026-11-01 12:30:00 +30 min 00 s/,
    );
    const md = await runCli(['report', 'c', '--base-dir', base, '--markdown']);
    assert.match(md.stdout, /^# Coverage report$/m);
    assert.match(md.stdout, /^### Recovered$/m);
    assert.match(md.stdout, /^\| 2026-11-01 10:10:00 \| 2026-11-01 10:11:40 \| 1 min 40 s \| 2026-11-01 12:00:00 \|$/m);
  });

  it('without a history it still reports from the store; a corrupt history is named and left as it is', async () => {
    const other = path.join(dir, 'elsewhere');
    const none = JSON.parse((await runCli(['report', 'c', '--base-dir', base, '--json', '--output-dir', other])).stdout) as ReportJson;
    assert.equal(none.history, null);
    assert.equal(none.qualities[0].lost[0].opened_at, null);
    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, HISTORY_FILE), 'not json\n');
    const r = await runCli(['report', 'c', '--base-dir', base, '--output-dir', bad]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /hole history not used: .*line 1 is not a history record/);
    assert.deepEqual(readdirSync(bad), [HISTORY_FILE]);
    assert.equal(readFileSync(path.join(bad, HISTORY_FILE), 'utf8'), 'not json\n');
  });

  it('--json with --markdown is a usage error (exit 2)', async () => {
    const r = await runCli(['report', 'c', '--base-dir', base, '--json', '--markdown']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--markdown/);
  });
});
