import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HISTORY_FILE } from '../../src/history/historyFile.js';
import { parseProm, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { fillHour, offsetName } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

interface Part {
  start: string;
  end: string;
  peers: unknown[];
}
interface Incident {
  id: string;
  state: string;
  last_event: string;
  start: string;
  end: string;
  opened_at: string;
  opened_at_start: boolean;
  closed_at: string | null;
  closed_how: string | null;
  closed_while_down: { from: string | null; to: string } | null;
  fill_delay_seconds: number | null;
  open_parts: Part[];
}

const HOUR_MS = 3_600_000;
/** A finished hour: three hours ago, and the hour after it recorded up to the live edge. */
const hourStart = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
const hourName = (ms: number): string => new Date(ms).toISOString().slice(0, 13);
const A = hourName(hourStart);
const B = hourName(hourStart + HOUR_MS);
const at = (s: number): string => new Date(hourStart + s * 1000).toISOString().replace('Z', '000Z');

describe('hole history on a live store (a real daemon, kill -9 and restarts)', () => {
  let dir: string;
  let base: string;
  let d: RunningDaemon | null = null;
  const args = (): string[] => ['c', '--base-dir', base, '--qualities', 'source', '--log-level', 'warn'];
  const seg = (s: number): string => path.join(base, 'c', 'source', A, `${offsetName(s)}-2.000-full-AAAA.ts`);
  const remove = (from: number, to: number): void => {
    for (let s = from; s < to; s += 2) rmSync(seg(s));
  };
  const putBack = (from: number, to: number): void => fillHour(base, 'c', 'source', A, from, to);
  const incidents = async (query = ''): Promise<Incident[]> => {
    const r = await fetch(`${d?.url}/api/v1/incidents${query}`);
    assert.equal(r.status, 200);
    return ((await r.json()) as { incidents: Incident[] }).incidents;
  };
  const metric = async (name: string): Promise<number | undefined> => parseProm(await (await fetch(`${d?.url}/metrics`)).text()).get(name);
  const historyFile = (): string => path.join(base, 'coverage-maps', HISTORY_FILE);

  before(async () => {
    dir = await makeTmpDir('incidents');
    base = path.join(dir, 'store');
    fillHour(base, 'c', 'source', A, 0, 3600);
    fillHour(base, 'c', 'source', B, 0, 1200);
    d = await startDaemon(args());
  });
  after(async () => {
    await d?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  let first: Incident;

  it('1. segments deleted in a finished stretch: the incident opens, announced on the event stream', async () => {
    assert.deepEqual(await incidents(), [], 'a complete store has no incident');
    assert.equal((await fetch(`${d?.url}/api/v1/incidents?state=gone`)).status, 400);
    // the page's event stream: an `incident` event comes with the change
    const abort = new AbortController();
    const stream = await fetch(`${d?.url}/api/v1/events`, { signal: abort.signal });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    const announced = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return null;
        seen += Buffer.from(value).toString('utf8');
        const m = /event: incident\ndata: (.*)\n\n/.exec(seen);
        if (m !== null) return JSON.parse(m[1]) as { event: string; incident: Incident };
      }
    })();
    remove(600, 700);
    [first] = await waitFor('the incident to open', async () => {
      const open = await incidents('?state=open');
      return open.length === 1 ? open : undefined;
    });
    assert.equal(first.start, at(600));
    assert.equal(first.end, at(700));
    assert.equal(first.last_event, 'opened');
    assert.equal(first.opened_at_start, false);
    const sse = await Promise.race([announced, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
    abort.abort();
    assert.ok(sse !== null, `no incident event on /api/v1/events:\n${seen.slice(-500)}`);
    assert.equal(sse.event, 'opened');
    assert.deepEqual(sse.incident, first);
    assert.equal(await metric('segcov_holes_opened_total{channel="c",quality="source"}'), 1);
    assert.ok(((await metric('segcov_oldest_open_hole_age_seconds{channel="c",quality="source"}')) ?? -1) >= 0);
  });

  it('2. half of it put back: it shrinks', async () => {
    putBack(600, 650);
    const i = await waitFor('the incident to shrink', async () => {
      const [x] = await incidents();
      return x?.last_event === 'shrunk' ? x : undefined;
    });
    assert.equal(i.id, first.id);
    assert.deepEqual(
      i.open_parts.map((p) => [p.start, p.end]),
      [[at(650), at(700)]],
    );
    assert.equal(i.start, at(600), 'the span stays what was lost');
  });

  it('3. the rest put back: it closes, its fill delay in the histogram', async () => {
    putBack(650, 700);
    const i = await waitFor('the incident to close', async () => {
      const [x] = await incidents('?state=closed');
      return x;
    });
    assert.equal(i.id, first.id);
    assert.equal(i.closed_how, 'filled');
    assert.ok(i.fill_delay_seconds !== null && i.fill_delay_seconds > 0);
    assert.ok(Math.abs(i.fill_delay_seconds - (Date.parse(i.closed_at ?? '') - Date.parse(i.opened_at)) / 1000) < 0.001, 'opened → closed');
    assert.deepEqual(i.open_parts, []);
    assert.equal(await metric('segcov_hole_fill_delay_seconds_count{channel="c",quality="source"}'), 1);
    assert.equal(await metric('segcov_holes_closed_total{channel="c",quality="source",how="filled"}'), 1);
    assert.equal(await metric('segcov_oldest_open_hole_age_seconds{channel="c",quality="source"}'), 0);
    assert.deepEqual(await incidents('?state=open'), []);
  });

  it('4. restarted: the history is still there', async () => {
    assert.equal((await d?.stop())?.code, 0);
    d = await startDaemon(args());
    const [i] = await incidents();
    assert.equal(i.id, first.id);
    assert.equal(i.closed_how, 'filled');
    assert.match(readFileSync(historyFile(), 'utf8'), /"kind":"stop"/, 'a clean stop is recorded');
  });

  it('5. a torn last record (simulated: a partial line appended while stopped) is ignored and counted', async () => {
    assert.equal((await d?.stop())?.code, 0);
    appendFileSync(historyFile(), '{"v":1,"kind":"incident","event":"opened","at_us":17');
    d = await startDaemon(args());
    assert.equal(await metric('segcov_history_torn_records_total'), 1);
    assert.deepEqual(
      (await incidents()).map((i) => i.id),
      [first.id],
    );
    assert.doesNotMatch(readFileSync(historyFile(), 'utf8'), /"at_us":17$/m, 'the torn tail was cut off before appending');
  });

  it('6. killed with -9, then a hole filled while down: the next start closes it "while down", within the outage', async () => {
    remove(1000, 1100);
    const open = await waitFor('the second incident to open', async () => {
      const xs = await incidents('?state=open');
      return xs.length === 1 ? xs[0] : undefined;
    });
    // the API shows the incident as soon as it opens; the kill must come once its record is on disk
    await waitFor('the record on disk', async () =>
      readFileSync(historyFile(), 'utf8').includes(JSON.stringify(open.id).slice(1, -1)) ? true : undefined,
    );
    const killedAt = Date.now();
    assert.equal((await d?.stop('SIGKILL'))?.code, null);
    putBack(1000, 1100);
    d = await startDaemon(args());
    const i = (await incidents()).find((x) => x.id === open.id);
    assert.ok(i !== undefined);
    assert.equal(i.closed_how, 'filled_while_down');
    assert.ok(i.closed_while_down !== null && i.closed_while_down.from !== null);
    assert.ok(Date.parse(i.closed_while_down.from) <= killedAt, 'the outage starts at the last record before the kill');
    assert.ok(Date.parse(i.closed_while_down.from) >= Date.parse(open.opened_at));
    assert.equal(i.closed_while_down.to, i.closed_at);
    assert.ok(Date.parse(i.closed_while_down.to) >= killedAt);
    assert.equal(await metric('segcov_holes_closed_total{channel="c",quality="source",how="filled_while_down"}'), 1);
    // the first incident is untouched by all this
    assert.equal((await incidents()).find((x) => x.id === first.id)?.closed_how, 'filled');
  });
});
