/**
 * The `--http-*` flags: validated with a one-line error naming the flag, and taken from a
 * flag, a SEGCOV_* variable or a config key alike (here, through bin/segcov.js, as the
 * running daemon applies them).
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { DAEMON_OPTIONS } from '../../src/cli/daemonFlags.js';
import { DEFAULT_HTTP_LIMITS } from '../../src/config/httpLimits.js';
import { cleanEnv, parseProm, runCli, startDaemon, waitFor } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { hold, keepAliveGet, type Held } from './heldSockets.js';

function config(extra: Record<string, unknown>) {
  const defaults: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(DAEMON_OPTIONS)) if ('default' in o) defaults[k] = o.default;
  return resolveDaemonConfig({ ...defaults, channels: ['chan'], ...extra });
}

describe('the --http-* flags', () => {
  let base: string;
  before(async () => {
    base = await makeTmpDir('http-flags');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 3600);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('default to DEFAULT_HTTP_LIMITS, and read seconds as ms', () => {
    assert.deepEqual(config({}).httpLimits, DEFAULT_HTTP_LIMITS);
    assert.deepEqual(
      config({
        'http-max-connections': '100',
        'http-scrape-reserve': '10',
        'http-max-per-client': '5',
        'http-max-event-streams': '90',
        'http-event-stall-seconds': '2.5',
      }).httpLimits,
      { maxConnections: 100, scrapeReserve: 10, perClient: 5, maxEventStreams: 90, eventStallMs: 2500 },
    );
  });

  it('refuse what cannot work, naming the flag', () => {
    for (const [extra, want] of [
      [{ 'http-max-connections': 'many' }, /^--http-max-connections: "many" is not a whole number from 2/],
      [{ 'http-max-per-client': '0' }, /^--http-max-per-client: "0" is not a whole number from 1/],
      [{ 'http-scrape-reserve': '512' }, /^--http-scrape-reserve: 512 leaves none of --http-max-connections 512/],
      [{ 'http-max-event-streams': '481' }, /^--http-max-event-streams: 481 is more than the 480 connections outside the scrape reserve/],
      [{ 'http-event-stall-seconds': '0' }, /^--http-event-stall-seconds: "0" is not a number of seconds/],
    ] as const) {
      assert.throws(() => config(extra), { message: want }, JSON.stringify(extra));
    }
  });

  it('a bad value exits 2 with that line', async () => {
    const r = await runCli(['chan', '--base-dir', base, '--run-once', '--metrics-port', '0', '--http-scrape-reserve', '600']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), 'segcov: --http-scrape-reserve: 600 leaves none of --http-max-connections 512 for the rest');
  });

  it('from SEGCOV_* and a config key, the running daemon applies them', async () => {
    const file = path.join(base, 'segcov.yml');
    await writeFile(file, 'http-max-event-streams: 2\n');
    const d = await startDaemon(
      ['chan', '--base-dir', base, '--output-dir', path.join(base, 'maps'), '--log-level', 'warn', '--config', file],
      { env: cleanEnv({ SEGCOV_HTTP_MAX_PER_CLIENT: '1' }) },
    );
    const held: Held[] = [];
    const stream = (from: string, until: string): Promise<Held> =>
      hold(d.port, { localAddress: from, bytes: keepAliveGet('/api/v1/events', 'Accept: text/event-stream\r\n'), until }).then((h) => {
        held.push(h);
        return h;
      });
    try {
      await stream('127.0.0.2', 'event: fleet');
      await stream('127.0.0.2', 'retry: 10000'); // its one connection is taken: the reserve, scrapes only
      await stream('127.0.0.3', 'event: fleet');
      await stream('127.0.0.4', 'retry: 10000'); // both streams are taken
      const m = await waitFor('both refusals counted', async () => {
        const got = parseProm(await (await fetch(`${d.url}/metrics`)).text());
        return got.get('segcov_http_connections_shed_total{reason="event_streams"}') === 1 ? got : undefined;
      });
      assert.equal(m.get('segcov_http_connections_shed_total{reason="reserve_only"}'), 1);
      assert.equal(m.get('segcov_http_event_clients'), 2);
    } finally {
      for (const h of held) h.socket.destroy();
      await d.stop();
    }
  });
});
