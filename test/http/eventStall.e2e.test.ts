/**
 * Issue 23.4, end to end through bin/segcov.js: a live-update client that never reads,
 * while segments land five a second and each landing sends every stream an event of some
 * 300 kB, costs the daemon no memory: it is dropped and counted, reconnects (as a browser
 * does), and the daemon's RSS stays within 10 MiB over 60 s. (Before, every event waited
 * in memory for it: 1.5 MB a second.) Under this load the daemon's heap grows for some
 * 40 s, and then shrinks back once (whether a client reads or not), so the minute measured
 * follows a minute of warm-up, and is compared with the highest RSS of the warm-up's last 15 s.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseProm, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { fillHour, offsetName, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const MIB = 1024 * 1024;
const WARM_UP_MS = 60_000;
/** The last part of the warm-up, whose highest RSS the measured window is compared with. */
const BASELINE_MS = 15_000;
const MEASURE_MS = 60_000;
/** The hour segments land in while the test runs. */
const LIVE_HOUR = '2026-11-03T00';

/** Two days of two qualities with 12 holes an hour: each event of the page's data is some 300 kB. */
function makeStore(base: string): void {
  const start = Date.UTC(2026, 10, 1);
  for (let h = 0; h < 48; h++) {
    const hour = new Date(start + h * 3_600_000).toISOString().slice(0, 13);
    const skip = new Set(Array.from({ length: 12 }, (_, k) => ((h * 7 + k * 59) % 1800) * 2));
    for (const q of ['source', '480p']) fillHour(base, 'chan', q, hour, 0, 3600, skip);
  }
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Asks for the event stream and then reads nothing at all. */
function neverReading(port: number): net.Socket {
  const s = net.connect(port, '127.0.0.1');
  s.pause(); // before it connects: not one byte is read
  s.on('error', () => {});
  s.write('GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
  return s;
}

describe('a live-update client that never reads', () => {
  let base: string;
  let d: RunningDaemon;
  let writer: NodeJS.Timeout | null = null;

  before(async () => {
    base = await makeTmpDir('event-stall');
    makeStore(base);
    d = await startDaemon([
      'chan',
      '--qualities',
      'source,480p',
      '--base-dir',
      base,
      '--output-dir',
      path.join(base, 'maps'),
      '--log-level',
      'warn',
    ]);
  });

  after(async () => {
    if (writer !== null) clearInterval(writer);
    await d?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it("is dropped and counted, and the daemon's RSS stays within 10 MiB over 60 s of segments landing", async (ctx) => {
    const pid = d.proc.pid as number;
    const metrics = async (): Promise<Map<string, number>> => parseProm(await (await fetch(`${d.url}/metrics`)).text());
    let t = 0;
    writer = setInterval(() => {
      putSegment(base, 'chan', 'source', LIVE_HOUR, `${offsetName(t)}-2.000-full-AAAA.ts`);
      t += 2;
    }, 200);
    let client = neverReading(d.port);
    await waitFor('the stream open', async () => ((await metrics()).get('segcov_http_event_clients') === 1 ? true : undefined));
    let drops = 0;
    /** Highest RSS in one second steps until `ms` from now; the client comes back when dropped. */
    const watch = async (ms: number): Promise<number> => {
      let most = 0;
      const end = Date.now() + ms;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 1000));
        most = Math.max(most, rssBytes(pid));
        const n = (await metrics()).get('segcov_http_event_clients_dropped_total') ?? 0;
        if (n > drops) {
          // dropped: it comes back, as EventSource does, and again reads nothing
          drops = n;
          client.destroy();
          client = neverReading(d.port);
        }
      }
      return most;
    };
    await watch(WARM_UP_MS - BASELINE_MS);
    const first = await watch(BASELINE_MS);
    const dropsBefore = drops;
    const most = await watch(MEASURE_MS);
    client.destroy();
    ctx.diagnostic(
      `RSS at most ${(first / MIB).toFixed(1)} MiB at the end of the warm-up, at most ${(most / MIB).toFixed(1)} MiB over ${MEASURE_MS / 1000} s; ${drops} drops`,
    );
    const live = (await metrics()).get('segcov_live_updates_total{channel="chan",quality="source"}') ?? 0;
    assert.ok(live >= 100, `segments kept landing: ${live} live updates`);
    assert.ok(drops > dropsBefore, 'the client that never reads was dropped and counted, also in the measured minute');
    assert.ok(
      most - first <= 10 * MIB,
      `RSS grew ${((most - first) / MIB).toFixed(1)} MiB (from at most ${(first / MIB).toFixed(0)} MiB) over ${MEASURE_MS / 1000} s`,
    );
  });
});
