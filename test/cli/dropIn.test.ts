import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { BIN, REPO, cleanEnv, freePort, parseProm, runCli, startDaemon, waitFor } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const HOURS = ['2026-11-01T00', '2026-11-01T01', '2026-11-01T02'];

/**
 * segcov run the way wubloader's own deployment files run the checker it replaces.
 */
describe('drop-in for the replaced checker', () => {
  let base: string;
  before(async () => {
    base = await makeTmpDir('dropin');
    for (const q of ['source', '480p']) for (const h of HOURS) fillHour(base, 'desertbus', q, h, 0, 60);
  });
  after(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("starts with the compose entry's exact arguments (placeholder window) and exports every hour", async () => {
    const port = await freePort();
    // docker-compose.jsonnet's segment_coverage command, only /mnt replaced by the store
    const args = [
      'desertbus',
      '--base-dir',
      base,
      '--qualities',
      'source,480p',
      '--first-hour',
      '1969-12-31T00:00:00Z',
      '--last-hour',
      '1970-01-07T00:00:00Z',
      '--make-page',
      '--connection-string',
      'dbname=wubloader user=vst password=x host=db.invalid',
    ];
    // the port through the environment, so the argument list stays the compose one
    const proc = spawn(process.execPath, [BIN, ...args], {
      env: cleanEnv({ SEGCOV_METRICS_PORT: String(port), SEGCOV_METRICS_HOST: '127.0.0.1' }),
      cwd: REPO,
    });
    let err = '';
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.stdout.resume();
    try {
      const metrics = await waitFor(
        'ready and serving /metrics',
        async () => {
          if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}: ${err}`);
          const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
          if (r?.status !== 200) return undefined;
          return parseProm(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
        },
        60_000,
      );
      for (const q of ['source', '480p']) {
        for (const h of HOURS) {
          assert.equal(
            metrics.get(`raw_coverage{channel="desertbus",hour="${h}",quality="${q}"}`),
            60,
            `${q} ${h} exported although outside the window`,
          );
        }
      }
      assert.ok((metrics.get('log_count_total{level="INFO"}') ?? 0) >= 1, 'log lines counted');
      const out = path.join(base, 'coverage-maps');
      for (const q of ['source', '480p']) {
        const html = await waitFor(
          `the old page of ${q}`,
          async () => readFile(path.join(out, `desertbus_${q}_coverage.html`), 'utf8').catch(() => undefined),
          30_000,
        );
        assert.match(html, /<a href="index.html">/);
        // the window bounds only the map: 1969-12-31T00 … 1970-01-07T00 is 169 hours, all white
        const { info } = await sharp(path.join(out, `desertbus_${q}_coverage.png`))
          .raw()
          .toBuffer({ resolveWithObject: true });
        assert.equal(info.width, 169 * 6);
      }
      await access(path.join(out, 'index.html'));
      assert.equal(proc.exitCode, null, 'still running although host db.invalid does not resolve');
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('close', r));
    }
  });

  it('accepts every flag of the replaced checker; --output-dir is relative to --base-dir', async () => {
    const r = await runCli([
      'desertbus',
      '--base-dir',
      base,
      '--qualities',
      'source',
      '--first-hour',
      '2026-11-01 01:00',
      '--last-hour',
      '2026-11-01 01:59',
      '--metrics-port',
      '0',
      '--backdoor-port',
      '1234',
      '--check-interval',
      '300',
      '--output-dir',
      'other-maps',
      '--run-once',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { info } = await sharp(path.join(base, 'other-maps', 'desertbus_source_coverage.png'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 6, 'one hour shown: "2026-11-01 01:00" to "2026-11-01 01:59"');
    assert.equal(r.stderr.match(/--backdoor-port 1234 ignored/g)?.length, 1, 'one warning');
  });

  it('names the value it got and each unknown flag once', async () => {
    for (const [args, want] of [
      [['--metrics-port', 'abc'], /--metrics-port: "abc" is not a port number/],
      [['--pixel-length', 'abc'], /--pixel-length: "abc" is not/],
      [['--backdoor-port', 'x'], /--backdoor-port: "x"/],
      [['--connection-string', "password='open"], /--connection-string: unterminated/],
    ] as const) {
      const r = await runCli(['desertbus', '--base-dir', base, '--run-once', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, want);
      assert.doesNotMatch(r.stderr, /null/);
    }
    const r = await runCli(['desertbus', '--base-dir', base, '--foo-bar', '1', '--run-once']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), 'segcov: Unknown argument: --foo-bar (see segcov --help)');
  });

  it('-h and -V', async () => {
    const h = await runCli(['-h']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--connection-string/);
    const v = await runCli(['-V']);
    assert.equal(v.code, 0);
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+/);
  });

  it('reads booleans as people write them, from the environment and YAML', async () => {
    for (const v of ['1', 'yes', 'TRUE', 'Yes']) {
      const r = await runCli(['desertbus', '--base-dir', base], {
        env: cleanEnv({ SEGCOV_RUN_ONCE: v, SEGCOV_METRICS_PORT: '0' }),
        timeoutMs: 60_000,
      });
      assert.equal(r.code, 0, `SEGCOV_RUN_ONCE=${v}: ${r.stderr}`);
      assert.match(r.stderr, /run-once done/);
    }
    const bad = await runCli(['desertbus', '--base-dir', base], { env: cleanEnv({ SEGCOV_RUN_ONCE: 'maybe' }) });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /SEGCOV_RUN_ONCE: "maybe"/);
    const cfg = path.join(base, 'yes.yaml');
    await writeFile(cfg, 'channels: [desertbus]\nrun-once: yes\nmake-page: "1"\nmetrics-port: 0\noutput-dir: yaml-maps\n');
    const r = await runCli(['--config', cfg, '--base-dir', base]);
    assert.equal(r.code, 0, r.stderr);
    await access(path.join(base, 'yaml-maps', 'desertbus_source_coverage.html'));
  });

  it('SEGCOV_NO_WATCH=1 turns live watching off', async () => {
    const watched = await startDaemon(['desertbus', '--base-dir', base, '--check-interval', '3600']);
    await watched.stop();
    assert.match(watched.stderr(), /watching the store/, 'control: watching by default');
    const d = await startDaemon(['desertbus', '--base-dir', base, '--check-interval', '3600'], { env: cleanEnv({ SEGCOV_NO_WATCH: '1' }) });
    const { code } = await d.stop();
    assert.equal(code, 0);
    // live watching starts before the daemon turns to its loop, so it would be logged by now
    assert.doesNotMatch(d.stderr(), /watching the store/);
  });

  it("an unknown SEGCOV_* variable warns; another command's variables and config keys do not break a command", async () => {
    const env = cleanEnv({
      SEGCOV_BOGUS: '1',
      SEGCOV_METRICS_PORT: '0',
      SEGCOV_MAKE_PAGE: 'yes',
      SEGCOV_FIRST_HOUR: '2026-11-01T00',
      SEGCOV_SINCE: '2026-11-01T00:00:00Z',
      SEGCOV_START_AT: 'x',
      SEGCOV_DECODE: '1',
    });
    const daemon = await runCli(['desertbus', '--base-dir', base, '--run-once'], { env });
    assert.equal(daemon.code, 0, daemon.stderr);
    assert.equal(daemon.stderr.match(/SEGCOV_BOGUS is not a segcov setting/g)?.length, 1);
    const check = await runCli(['check', 'desertbus', '--base-dir', base, '--until', '2026-11-01T00:01:00Z'], { env });
    assert.equal(check.code, 0, check.stderr + check.stdout);
    const verify = await runCli(
      ['verify', '--channel', 'desertbus', '--quality', 'source', '--base-dir', base, '--since', '2026-11-01T02:00:00Z'],
      { env },
    );
    // it runs: the 2026-11-01T02 segments are checked (their names carry no real hash: 1 = bad ones found)
    assert.equal(verify.code, 1, verify.stderr);
    assert.match(verify.stdout, /checked \d+ segments/);
    assert.doesNotMatch(verify.stderr, /Unknown argument/);

    // the daemon's config file serves `check` too: channels and store keys taken, the rest left alone
    const cfg = path.join(base, 'daemon.yaml');
    await writeFile(
      cfg,
      [
        'channels: [desertbus]',
        `base-dir: ${base}`,
        'qualities: source,480p',
        'metrics-port: 8006',
        'make-page: true',
        'check-interval: 300',
        'watch: no',
        'peers:',
        '  node-b: http://node-b.example:8006',
        '',
      ].join('\n'),
    );
    const c = await runCli(['check', '--config', cfg, '--until', '2026-11-01T00:01:00Z', '--json'], { env: cleanEnv() });
    assert.equal(c.code, 0, c.stderr);
    const report = JSON.parse(c.stdout) as { qualities?: { quality: string }[] } & Record<string, unknown>;
    assert.match(JSON.stringify(report), /480p/);
  });

  it('peer names with a hyphen appear once, not again in camelCase', async () => {
    const cfg = path.join(base, 'peers.yaml');
    await writeFile(cfg, 'peers:\n  node-b: http://node-b.example:8006\n  node_c: http://c.example:8006\n');
    const r = await runCli([
      'desertbus',
      '--config',
      cfg,
      '--base-dir',
      base,
      '--run-once',
      '--make-page',
      '--metrics-port',
      '0',
      '--output-dir',
      'peer-maps',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const html = await readFile(path.join(base, 'peer-maps', 'desertbus_source_coverage.html'), 'utf8');
    assert.match(html, /<h3>node-b<\/h3>/);
    assert.match(html, /http:\/\/node-b\.example:8006\/maps\/desertbus_source_coverage\.png/);
    assert.doesNotMatch(html, /nodeB|nodeC/);
    const index = await readFile(path.join(base, 'peer-maps', 'index.html'), 'utf8');
    assert.doesNotMatch(index, /nodeB/);
    assert.match(index, /node-b/);
  });
});
