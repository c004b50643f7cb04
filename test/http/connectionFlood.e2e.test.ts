/**
 * Issue 23.4, end to end through bin/segcov.js with the default limits: 600 connections
 * from one address, live-update streams and idle ones (as slowloris holds them), do not
 * lock out scrapes. The address keeps its share (32) and the scrape reserve's idle
 * connections only; a scrape from that very address gets in over the reserve (which serves
 * nothing but scrapes), and another address is served as usual; also while the idle ones
 * keep coming back as they are closed.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_HTTP_LIMITS } from '../../src/config/httpLimits.js';
import { parseProm, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { hold, keepAliveGet, type Held } from './heldSockets.js';

const ATTACKER = '127.0.0.1';
const OTHER = '127.0.0.2';
const STREAMS = 40;
const IDLE = 560;

/** One GET from `localAddress` on a connection of its own; the status (0: the connection was closed unanswered). */
function get(port: number, target: string, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: target, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

describe('600 connections from one address', () => {
  let base: string;
  let d: RunningDaemon;
  const held: Held[] = [];

  before(async () => {
    base = await makeTmpDir('conn-flood');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 3600, new Set([100, 102]));
    d = await startDaemon(['chan', '--base-dir', base, '--output-dir', path.join(base, 'maps'), '--log-level', 'warn']);
  });

  after(async () => {
    for (const h of held) h.socket.destroy();
    await d?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it("hold the address's share and the reserve's idle connections only; scrapes get in from it and from elsewhere", async () => {
    const { perClient, scrapeReserve, maxEventStreams } = DEFAULT_HTTP_LIMITS;
    assert.ok(STREAMS > perClient && STREAMS + IDLE === 600 && perClient <= maxEventStreams);
    // one after the other, each answered before the next: the first 32 stream, the rest are told to come back later
    for (let i = 0; i < STREAMS; i++) {
      held.push(
        await hold(d.port, {
          localAddress: ATTACKER,
          bytes: keepAliveGet('/api/v1/events', 'Accept: text/event-stream\r\n'),
          until: i < perClient ? 'event: fleet' : 'retry: 10000',
        }),
      );
    }
    for (let i = 0; i < IDLE; i += 40) {
      held.push(...(await Promise.all(Array.from({ length: Math.min(40, IDLE - i) }, () => hold(d.port, { localAddress: ATTACKER })))));
    }
    const open = (): number => held.filter((h) => !h.isClosed()).length;
    await waitFor(`at most ${perClient + scrapeReserve} of the 600 left open`, async () =>
      open() <= perClient + scrapeReserve ? true : undefined,
    );
    assert.equal(held.slice(0, STREAMS).filter((h) => !h.isClosed()).length, perClient, "the address's share of streams stays open");

    const same = await get(d.port, '/metrics', ATTACKER);
    assert.equal(same.status, 200, 'a scrape from the flooding address gets in, over the reserve');
    assert.equal((await get(d.port, '/healthz', ATTACKER)).status, 200);
    assert.equal((await get(d.port, '/api/v1/coverage', ATTACKER)).status, 503, 'the reserve serves scrapes only');
    assert.equal((await get(d.port, '/', OTHER)).status, 200, 'another address is served as usual');
    const m = parseProm((await get(d.port, '/metrics', OTHER)).body);
    assert.equal(m.get('segcov_http_event_clients'), perClient);
    const general = m.get('segcov_http_connections{pool="general"}') ?? 0;
    // (/metrics may be the render of a second ago, made while the scrape from ATTACKER was open)
    assert.ok(general >= perClient && general <= perClient + 1, `the streams, and the scrape that rendered the text: ${general}`);
    assert.ok((m.get('segcov_http_connections{pool="reserve"}') ?? 0) <= scrapeReserve);
    assert.ok(
      (m.get('segcov_http_connections_shed_total{reason="idle_closed"}') ?? 0) >= IDLE - scrapeReserve,
      'idle connections were closed to make room',
    );
    assert.ok(
      (m.get('segcov_http_connections_shed_total{reason="reserve_only"}') ?? 0) >= STREAMS - perClient,
      'the streams beyond the share were refused',
    );
  });

  it('while the idle connections keep coming back as they are closed, scrapes from another address all get in', async () => {
    let stop = false;
    let reopened = 0;
    const comeBack = (h: Held): void => {
      void h.closed.then(() =>
        setTimeout(() => {
          if (stop) return;
          reopened += 1;
          void hold(d.port, { localAddress: ATTACKER }).then((n) => {
            held.push(n);
            comeBack(n);
          });
        }, 1000),
      );
    };
    for (let i = 0; i < IDLE; i++)
      held.push(
        await hold(d.port, { localAddress: ATTACKER }).then((h) => {
          comeBack(h);
          return h;
        }),
      );
    try {
      await waitFor('the idle connections coming back', async () => (reopened >= IDLE ? true : undefined));
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await get(d.port, '/metrics', OTHER)).status);
      assert.deepEqual(statuses, Array(20).fill(200));
      assert.equal((await get(d.port, '/metrics', ATTACKER)).status, 200, 'and from the flooding address itself');
    } finally {
      stop = true;
    }
  });
});
