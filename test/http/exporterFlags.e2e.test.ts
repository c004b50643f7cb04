/**
 * The exporter flags end to end (issue 27): a daemon on two listen addresses with its metrics
 * on another path and logfmt logs; the same from SEGCOV_* variables and a --config file;
 * conflicts and bad values exit 2 naming the flags.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, REPO, cleanEnv, runCli, waitFor } from '../helpers/cli.js';
import { parseLogfmt } from '../helpers/logfmt.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/** Whether [::1] can be listened on here (else the second address is another port on 127.0.0.1). */
function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

interface Daemon {
  readonly proc: ChildProcess;
  stderr(): string;
  /** The URL of /healthz from --port-file, once the daemon is ready. */
  readonly health: string;
  stop(): Promise<number | null>;
}

/** Starts the daemon; ready once the port file names a URL whose /readyz answers 200. */
async function start(args: readonly string[], portFile: string, env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
  const proc = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const health = await waitFor('ready', async () => {
    if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}: ${err}`);
    const url = (await readFile(portFile, 'utf8').catch(() => '')).trim();
    if (url === '') return undefined;
    const r = await fetch(url.replace(/healthz$/, 'readyz')).catch(() => null);
    return r?.status === 200 ? url : undefined;
  });
  return {
    proc,
    health,
    stderr: () => err,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

describe('exporter flags', () => {
  let base: string;
  before(async () => {
    base = await makeTmpDir('exporter-flags');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 60);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('listens on every --web.listen-address, serves the metrics on --web.telemetry-path only, logs logfmt', async () => {
    const second = (await ipv6Loopback()) ? '[::1]:0' : '127.0.0.1:0';
    const portFile = path.join(base, 'flags.url');
    const d = await start(
      [
        'chan',
        '--base-dir',
        base,
        '--check-interval',
        '3600',
        '--port-file',
        portFile,
        '--web.listen-address',
        '127.0.0.1:0',
        '--web.listen-address',
        second,
        '--web.telemetry-path',
        '/segcov/metrics',
        '--log.format',
        'logfmt',
      ],
      portFile,
    );
    try {
      const lines = d.stderr().split('\n').filter(Boolean).map(parseLogfmt);
      const serving = lines.find((l) => l.get('msg')?.startsWith('serving metrics'));
      assert.ok(serving !== undefined, d.stderr());
      const urls = (serving.get('urls') ?? '').split(',');
      assert.equal(urls.length, 2, 'the line names every address');
      assert.match(urls[0], /^http:\/\/127\.0\.0\.1:\d+\/segcov\/metrics$/);
      assert.match(
        urls[1],
        second.startsWith('[') ? /^http:\/\/\[::1\]:\d+\/segcov\/metrics$/ : /^http:\/\/127\.0\.0\.1:\d+\/segcov\/metrics$/,
      );
      assert.notEqual(urls[0], urls[1]);
      for (const u of urls) assert.ok(serving.get('msg')?.includes(u), `${u} in the message too`);
      assert.equal(d.health, urls[0].replace('/segcov/metrics', '/healthz'), 'the port file names the first address');
      for (const u of urls) {
        const r = await fetch(u);
        assert.equal(r.status, 200, u);
        assert.match(await r.text(), /^raw_coverage\{channel="chan",hour="2026-11-01T00",quality="source"\} 60$/m);
        const origin = new URL(u).origin;
        assert.equal((await fetch(`${origin}/metrics`)).status, 404, `${origin}: /metrics moved with the flag`);
        assert.equal((await fetch(`${origin}/healthz`)).status, 200);
        assert.equal((await fetch(`${origin}/`)).status, 200, 'the status page stays on /');
      }
      // a reload parses the dotted flags as start-up did: nothing to restart for
      d.proc.kill('SIGHUP');
      await waitFor('the reload', async () => (/msg="Completed loading of configuration file"/.test(d.stderr()) ? true : undefined));
      assert.doesNotMatch(d.stderr(), /applied only on restart/);
      assert.equal(await d.stop(), 0);
      const all = d.stderr().split('\n').filter(Boolean).map(parseLogfmt);
      assert.ok(all.length >= 5);
      for (const l of all) {
        assert.match(l.get('time') ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(LEVELS.has(l.get('level') ?? ''), `level by name: ${l.get('level')}`);
        assert.ok(l.has('msg'));
      }
    } finally {
      d.proc.kill('SIGKILL');
    }
  });

  it('takes them from SEGCOV_* variables; JSON lines carry the level by name', async () => {
    const portFile = path.join(base, 'env.url');
    const d = await start(['chan', '--base-dir', base, '--check-interval', '3600'], portFile, {
      SEGCOV_WEB_LISTEN_ADDRESS: '127.0.0.1:0',
      SEGCOV_WEB_TELEMETRY_PATH: '/m',
      SEGCOV_LOG_FORMAT: 'json',
      SEGCOV_LOG_LEVEL: 'debug',
      SEGCOV_PORT_FILE: portFile,
    });
    try {
      const origin = new URL(d.health).origin;
      assert.equal((await fetch(`${origin}/m`)).status, 200);
      assert.equal((await fetch(`${origin}/metrics`)).status, 404);
      assert.equal(await d.stop(), 0);
      const lines = d
        .stderr()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: unknown; msg: string; urls?: string[] });
      assert.ok(
        lines.every((l) => typeof l.level === 'string' && LEVELS.has(l.level)),
        d.stderr(),
      );
      assert.ok(
        lines.some((l) => l.level === 'debug'),
        'SEGCOV_LOG_LEVEL=debug applied',
      );
      assert.deepEqual(lines.find((l) => l.msg.startsWith('serving metrics'))?.urls, [`${origin}/m`]);
    } finally {
      d.proc.kill('SIGKILL');
    }
  });

  it('takes them from a --config file; a flag of the other spelling wins over it, with a warning', async () => {
    const portFile = path.join(base, 'config.url');
    const cfg = path.join(base, 'exporter.yaml');
    await writeFile(
      cfg,
      [
        'channels: [chan]',
        `base-dir: ${base}`,
        'check-interval: 3600',
        'web.listen-address: ["127.0.0.1:0", "127.0.0.1:0"]',
        'web.telemetry-path: /c/metrics',
        'log.format: logfmt',
        'log.level: error',
        `port-file: ${portFile}`,
        '',
      ].join('\n'),
    );
    const d = await start(['--config', cfg, '--log-level', 'info'], portFile);
    try {
      const origin = new URL(d.health).origin;
      assert.equal((await fetch(`${origin}/c/metrics`)).status, 200);
      assert.equal(await d.stop(), 0);
      const lines = d.stderr().split('\n').filter(Boolean).map(parseLogfmt);
      assert.ok(
        lines.some((l) => l.get('level') === 'warn' && l.get('msg') === 'log.level (--config) ignored: --log-level takes precedence'),
        d.stderr(),
      );
      assert.ok(
        lines.some((l) => l.get('level') === 'info'),
        '--log-level info applied',
      );
      assert.equal(
        lines
          .find((l) => l.get('msg')?.startsWith('serving metrics'))
          ?.get('urls')
          ?.split(',').length,
        2,
        'both addresses of the YAML list',
      );
    } finally {
      d.proc.kill('SIGKILL');
    }
  });

  it('both spellings at one level, or a bad value: exit 2 with one line naming the flags', async () => {
    const conflicting = path.join(base, 'conflict.yaml');
    await writeFile(conflicting, 'metrics-host: 127.0.0.1\nweb.listen-address: "127.0.0.1:0"\n');
    for (const [args, env, want] of [
      [
        ['--metrics-port', '0', '--web.listen-address', ':0'],
        {},
        /^segcov: --metrics-port and --web\.listen-address are two spellings of one setting; give one, not both$/,
      ],
      [
        [],
        { SEGCOV_METRICS_PORT: '0', SEGCOV_WEB_LISTEN_ADDRESS: ':0' },
        /^segcov: SEGCOV_METRICS_PORT and SEGCOV_WEB_LISTEN_ADDRESS are two spellings/,
      ],
      [['--config', conflicting], {}, /^segcov: --config: metrics-host and web\.listen-address are two spellings/],
      [['--log-level', 'info', '--log.level', 'debug'], {}, /^segcov: --log-level and --log\.level are two spellings/],
      [['--web.listen-address', '::1:9100'], {}, /^segcov: --web\.listen-address: "::1:9100" is not host:port, \[IPv6\]:port or :port/],
      [['--web.listen-address', '127.0.0.1:65536'], {}, /^segcov: --web\.listen-address: "127\.0\.0\.1:65536"/],
      [['--web.telemetry-path', 'metrics'], {}, /^segcov: --web\.telemetry-path: "metrics" is not a URL path/],
      [['--log.format', 'xml'], {}, /^segcov: --log\.format: "xml" is not json or logfmt$/],
      [['--log.level', 'loud'], {}, /^segcov: --log\.level: "loud" is not one of/],
    ] as const) {
      const r = await runCli(['chan', '--base-dir', base, '--run-once', ...args], { env: cleanEnv(env) });
      assert.equal(r.code, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), want);
    }
  });

  it('--help lists them beside the inherited flags', async () => {
    const h = await runCli(['--help']);
    assert.equal(h.code, 0);
    for (const flag of ['--metrics-port', '--web.listen-address', '--web.telemetry-path', '--log-level', '--log.level', '--log.format'])
      assert.match(h.stdout, new RegExp(`^\\s+${flag.replace(/\./g, '\\.')}\\s`, 'm'), flag);
  });
});
