/**
 * Issue 23.5, end to end through bin/segcov.js (the bundle and its password worker):
 * 200 wrong passwords against a bcrypt hash of cost 10, 20 at a time, each from an address
 * of its own (so that every one is checked), leave an authenticated scrape's median within
 * 2× of its idle median, measured in the same run: the checks run off the main thread. An
 * address that gives five wrong passwords then waits (429, Retry-After), while credentials
 * already verified still pass from it.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { parseProm, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const RIGHT = 'alice:wonderland';
const FLOOD = 200;
const AT_ONCE = 20;

interface Reply {
  readonly status: number;
  readonly ms: number;
  readonly retryAfter?: string;
  readonly body: string;
}

function get(port: number, target: string, credentials: string, localAddress = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: target,
        localAddress,
        agent: false,
        headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, retryAfter: res.headers['retry-after'], body }),
        );
      },
    );
    req.on('error', reject);
  });
}

/** The counters once /metrics (rendered at most once a second) shows `failures` failures. */
async function counters(port: number, failures: number): Promise<Map<string, number>> {
  return waitFor(`segcov_http_auth_failures_total ${failures}`, async () => {
    const m = parseProm((await get(port, '/metrics', RIGHT)).body);
    return m.get('segcov_http_auth_failures_total') === failures ? m : undefined;
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

describe('wrong passwords', () => {
  let base: string;
  let d: RunningDaemon;

  before(async () => {
    base = await makeTmpDir('auth-flood');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 3600, new Set([100]));
    const web = path.join(base, 'web.yml');
    // a realistic cost (htpasswd -B's default is 5; node_exporter's docs use 10)
    await writeFile(web, `basic_auth_users:\n  alice: ${bcrypt.hashSync('wonderland', 10)}\nunauthenticated_paths: [/healthz, /readyz]\n`);
    d = await startDaemon([
      'chan',
      '--base-dir',
      base,
      '--output-dir',
      path.join(base, 'maps'),
      '--log-level',
      'warn',
      '--web.config.file',
      web,
    ]);
  });

  after(async () => {
    await d?.stop();
    await rm(base, { recursive: true, force: true });
  });

  it(`${FLOOD} of them, ${AT_ONCE} at a time, leave an authenticated scrape's median within 2× of its idle median`, async (ctx) => {
    assert.equal((await get(d.port, '/metrics', RIGHT)).status, 200, 'the right password (checked once, then cached)');
    // idle and during the flood alike: one scrape, then 50 ms of rest
    const scrape = async (into: number[]): Promise<void> => {
      const r = await get(d.port, '/metrics', RIGHT);
      assert.equal(r.status, 200);
      into.push(r.ms);
      await new Promise((res) => setTimeout(res, 50));
    };
    const idle: number[] = [];
    for (let i = 0; i < 40; i++) await scrape(idle);
    const statuses: number[] = [];
    let next = 0;
    let flooding = true;
    const flood = Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < FLOOD) {
          const i = next++;
          // 127.0.1.1 … 127.0.1.200: no address reaches the throttle, every password is checked
          statuses.push((await get(d.port, '/metrics', `alice:guess${i}`, `127.0.1.${i + 1}`)).status);
        }
      }),
    ).finally(() => {
      flooding = false;
    });
    const busy: number[] = [];
    while (flooding) await scrape(busy);
    await flood;
    ctx.diagnostic(
      `scrape median ${median(idle).toFixed(1)} ms idle, ${median(busy).toFixed(1)} ms during the flood (${busy.length} scrapes)`,
    );
    assert.deepEqual(statuses, Array(FLOOD).fill(401), 'every wrong password is refused, none throttled');
    assert.ok(busy.length >= 10, `scraped ${busy.length} times during the flood`);
    assert.ok(
      median(busy) <= 2 * median(idle),
      `median ${median(busy).toFixed(1)} ms during the flood against ${median(idle).toFixed(1)} ms idle`,
    );
    const m = await counters(d.port, FLOOD); // each was checked, and counted
    assert.equal(m.get('segcov_http_auth_throttled_total'), 0);
  });

  it('from one address: five are checked, then it must wait (429, Retry-After), and its verified credentials still pass', async () => {
    const from = '127.0.2.1';
    const replies: Reply[] = [];
    for (let i = 0; i < 8; i++) replies.push(await get(d.port, '/metrics', `alice:again${i}`, from));
    assert.deepEqual(
      replies.map((r) => r.status),
      [401, 401, 401, 401, 401, 429, 429, 429],
    );
    assert.ok(Number(replies[5].retryAfter) >= 1, `Retry-After: ${replies[5].retryAfter}`);
    assert.equal((await get(d.port, '/metrics', RIGHT, from)).status, 200, 'the right (cached) password from that address');
    const m = await counters(d.port, FLOOD + 5);
    assert.equal(m.get('segcov_http_auth_throttled_total'), 3);
  });
});
