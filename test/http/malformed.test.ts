/**
 * Issue 9 item 1: requests that used to kill the daemon (a URL that `new URL` rejects, a
 * `since` that parses but cannot be formatted). Each goes to a real daemon over a raw
 * socket; each must be answered with a 400 and the daemon must stay up and count it.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fillHour } from '../helpers/simpleStore.js';
import { parseProm, startDaemon, type RunningDaemon } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { rawGet, rawRequest } from './rawHttp.js';

describe('malformed requests against a running daemon', () => {
  let base = '';
  let d: RunningDaemon;

  before(async () => {
    base = await makeTmpDir('http-malformed');
    fillHour(base, 'chan', 'source', '2026-11-01T07', 0, 40);
    d = await startDaemon(['chan', '--base-dir', base, '--output-dir', path.join(base, 'maps'), '--no-watch', '--log-level', 'warn']);
  });

  after(async () => {
    await d?.stop();
    if (base !== '') await rm(base, { recursive: true, force: true });
  });

  for (const target of ['//[', '//x:abc/', '//%/', 'http://[/', '//[/metrics', 'http://x:99999/healthz']) {
    it(`GET ${target} is a 400 and the daemon stays up`, async () => {
      const r = await rawGet(d.port, target);
      assert.equal(r.status, 400, r.head);
      assert.equal(d.proc.exitCode, null, d.stderr());
      const h = await rawGet(d.port, '/healthz');
      assert.equal(h.status, 200);
    });
  }

  for (const since of ['%2B275760-09-13T00:00:00.000999Z', '%2B275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z', '%2B999999-01-01']) {
    it(`/api/v1/holes?since=${since} is a 400, not a crash`, async () => {
      const r = await rawGet(d.port, `/api/v1/holes?since=${since}`);
      assert.equal(r.status, 400, `${r.head}\n${r.body}`);
      assert.match(r.body, /since/);
      const u = await rawGet(d.port, `/api/v1/holes?until=${since}`);
      assert.equal(u.status, 400, `${u.head}\n${u.body}`);
      assert.equal((await rawGet(d.port, '/healthz')).status, 200, d.stderr());
    });
  }

  it('a request the HTTP parser rejects gets a 400 with the security headers, not a bare close', async () => {
    const r = await rawRequest(d.port, 'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(r.status, 400, r.head);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    const bad = await rawRequest(d.port, 'GARBAGE\r\n\r\n');
    assert.equal(bad.status, 400, bad.head);
  });

  it('the daemon is still up after all of them', async () => {
    assert.equal(d.proc.exitCode, null, d.stderr());
    const m = await rawGet(d.port, '/metrics');
    assert.equal(m.status, 200);
    assert.ok(parseProm(m.body).has('segcov_ready'), 'metrics still served');
  });
});
