import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { analyzeHour, type HourResult } from '../../src/coverage/hourAnalysis.js';
import { qualityCoverage } from '../../src/coverage/qualityCoverage.js';
import type { Segment } from '../../src/coverage/types.js';
import { HISTORY_FILE, HistoryFile, readHistoryFile } from '../../src/history/historyFile.js';
import { decodeRecord, encodeRecord, parseHistory, type StoredIncident } from '../../src/history/historyRecords.js';
import { HoleHistory } from '../../src/history/holeHistory.js';
import { createLogger } from '../../src/log.js';
import { HistoryMetrics } from '../../src/outputs/metrics/historyMetrics.js';
import { makeTmpDir } from '../helpers/tmp.js';

const S = 1_000_000;
const H10 = Date.UTC(2026, 10, 1, 10) * 1000;
const quiet = createLogger(
  'error',
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
);

function incident(id: string, closedAt: number | null, at = closedAt ?? H10): StoredIncident {
  return {
    channel: 'c',
    quality: 'source',
    id,
    event: closedAt === null ? 'opened' : 'closed',
    at,
    span: { start: H10, end: H10 + 10 * S },
    openedAt: H10,
    openedAtStart: false,
    open: closedAt === null ? [{ start: H10, end: H10 + 10 * S }] : [],
    closedAt,
    closedHow: closedAt === null ? null : 'filled',
    downSince: null,
  };
}

/** Hour 10 with full 2 s segments over the given second ranges. */
function hour(runs: Array<[number, number]>): HourResult {
  const segments: Segment[] = [];
  for (const [from, to] of runs)
    for (let t = from; t < to; t += 2) segments.push({ name: `${t}.ts`, start: H10 + t * S, duration: 2 * S, type: 'full', hash: 'A' });
  return analyzeHour({ hour: '2026-11-01T10', start: H10, segments, bad: 0 });
}
const status = (runs: Array<[number, number]>) => ({
  channel: 'c',
  quality: 'source',
  updatedAt: 0,
  coverage: qualityCoverage([hour(runs)], { pixelSeconds: 2, rows: 300 }),
});

describe('hole history records and file (src/history/)', () => {
  let dir: string;
  before(async () => {
    dir = await makeTmpDir('history');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a record is one line, complete on its own, and reads back equal', () => {
    const i = incident('1-2', null);
    const line = encodeRecord({ kind: 'incident', incident: i });
    assert.equal(line.indexOf('\n'), line.length - 1);
    assert.deepEqual(decodeRecord(line.trimEnd()), { kind: 'incident', incident: i });
    assert.equal(decodeRecord('{"v":1,"kind":"incident"}'), null);
  });

  it('a last line without its newline is torn and ignored; a bad line before it is corruption', () => {
    const ok = encodeRecord({ kind: 'alive', at: 5 });
    assert.deepEqual(parseHistory(`${ok}${ok.slice(0, 9)}`), { records: [{ kind: 'alive', at: 5 }], torn: true, badLine: null });
    assert.deepEqual(parseHistory(`${ok}garbage\n${ok}`).badLine, 2);
  });

  it('a torn file is read with its torn record ignored and counted; HoleHistory cuts the tail off before appending', async () => {
    const sub = path.join(dir, 'torn');
    execFileSync('mkdir', ['-p', sub]);
    const file = path.join(sub, HISTORY_FILE);
    writeFileSync(file, `${encodeRecord({ kind: 'incident', incident: incident('a', null) })}{"v":1,"kind":"incid`);
    const metrics = new HistoryMetrics(() => []);
    const h = new HoleHistory({ file: new HistoryFile(file), log: quiet, metrics, now: () => H10 / 1000 + 60_000 });
    await h.load();
    assert.equal((await metrics.tornRecords.get()).values[0].value, 1);
    assert.deepEqual(
      h.incidents().map((i) => i.id),
      ['a'],
    );
    assert.ok(readFileSync(file, 'utf8').endsWith('\n'), 'the torn tail is gone');
    h.begin([
      status([
        [0, 600],
        [1200, 1800],
      ]),
    ]);
    await h.close();
    const back = parseHistory(readFileSync(file, 'utf8'));
    assert.equal(back.torn, false);
    assert.equal(back.badLine, null);
    // 'a' (0-10 s) is covered now: closed while down, from its record's time; 600-1200 s opens at the start
    assert.deepEqual(
      back.records.map((r) => r.kind),
      ['incident', 'alive', 'incident', 'incident', 'alive', 'stop'],
    );
    const a = h.incidents().find((i) => i.id === 'a');
    assert.equal(a?.closedHow, 'filled_while_down');
    assert.equal(a?.downSince, H10);
    assert.equal(h.incidents().find((i) => i.id !== 'a')?.openedAtStart, true);
  });

  it('a corrupt file, a symlink and a FIFO are set aside under another name, never deleted, never followed', async () => {
    for (const [name, make] of [
      ['corrupt', (f: string) => writeFileSync(f, 'not json\n')],
      [
        'link',
        (f: string) => {
          writeFileSync(`${f}.target`, 'keep me\n');
          symlinkSync(`${f}.target`, f);
        },
      ],
      ['fifo', (f: string) => execFileSync('mkfifo', [f])],
    ] as const) {
      const sub = path.join(dir, name);
      execFileSync('mkdir', ['-p', sub]);
      const file = path.join(sub, HISTORY_FILE);
      make(file);
      const got = await readHistoryFile(file, Date.UTC(2026, 10, 2));
      assert.equal(got.found, false, name);
      assert.ok(got.setAside !== null, name);
      assert.equal(path.basename(got.setAside.to), `${HISTORY_FILE}.corrupt-20261102T000000Z`, name);
      assert.deepEqual(
        readdirSync(sub)
          .filter((f) => f.startsWith(HISTORY_FILE))
          .sort(),
        [...(name === 'link' ? [`${HISTORY_FILE}.target`] : []), `${HISTORY_FILE}.corrupt-20261102T000000Z`].sort(),
        name,
      );
      if (name === 'link') assert.equal(readFileSync(`${file}.target`, 'utf8'), 'keep me\n');
      // a second corrupt file on the same second gets a name of its own
      if (name === 'corrupt') {
        writeFileSync(file, 'again\n');
        const second = await readHistoryFile(file, Date.UTC(2026, 10, 2));
        assert.equal(path.basename(second.setAside?.to ?? ''), `${HISTORY_FILE}.corrupt-20261102T000000Z-1`);
      }
    }
  });

  it('compaction keeps every open incident, whatever its age, and only the newest closed ones', async () => {
    const sub = path.join(dir, 'compact');
    execFileSync('mkdir', ['-p', sub]);
    const file = path.join(sub, HISTORY_FILE);
    const now = H10 + 100 * 86_400 * S;
    const lines = [encodeRecord({ kind: 'incident', incident: incident('old-open', null) })];
    for (let k = 0; k < 50; k++)
      lines.push(encodeRecord({ kind: 'incident', incident: incident(`closed-${k}`, now - (60 - k) * 86_400 * S) }));
    writeFileSync(file, lines.join(''));
    const h = new HoleHistory({
      file: new HistoryFile(file),
      log: quiet,
      metrics: new HistoryMetrics(() => []),
      now: () => now / 1000,
      keepDays: 30,
      maxClosed: 5,
      maxBytes: 1000,
    });
    await h.load();
    const kept = h.incidents().map((i) => i.id);
    assert.deepEqual(kept.sort(), ['closed-45', 'closed-46', 'closed-47', 'closed-48', 'closed-49', 'old-open'].sort());
    const onDisk = parseHistory(readFileSync(file, 'utf8'))
      .records.filter((r) => r.kind === 'incident')
      .map((r) => (r.kind === 'incident' ? r.incident.id : ''));
    assert.deepEqual(onDisk.sort(), kept.sort());
    assert.deepEqual(readdirSync(sub), [HISTORY_FILE], 'no temp left behind');
  });

  it('appends are one line per record, and a later start reads the same incidents back', async () => {
    const sub = path.join(dir, 'append');
    execFileSync('mkdir', ['-p', sub]);
    const file = path.join(sub, HISTORY_FILE);
    let t = H10 / 1000 + 3_600_000;
    const mk = () => new HoleHistory({ file: new HistoryFile(file), log: quiet, metrics: new HistoryMetrics(() => []), now: () => t });
    const h = mk();
    await h.load();
    h.begin([
      status([
        [0, 600],
        [1200, 1800],
      ]),
    ]);
    t += 1000;
    h.update(
      status([
        [0, 900],
        [1200, 1800],
      ]),
    );
    await h.close();
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(
      text
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { kind: string; event?: string }).event ?? (JSON.parse(l) as { kind: string }).kind),
      ['opened', 'alive', 'shrunk', 'stop'],
    );
    appendFileSync(file, ''); // untouched while stopped
    const again = mk();
    await again.load();
    assert.deepEqual(
      again.incidents().map((i) => [i.id, i.event, i.open.length]),
      [[`${H10 + 3600 * S}-${H10 + 600 * S}`, 'shrunk', 1]],
    );
  });
});
