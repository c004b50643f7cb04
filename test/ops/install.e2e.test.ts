/**
 * The one documented way to install segcov, end to end: `npm pack` makes the tarball,
 * `npm install -g ./segcov-VERSION.tgz` installs it (here under a temporary --prefix, so
 * nothing is left behind), and the installed `segcov` runs --version, --help, `check` and
 * the daemon, also as an unprivileged user (as the unit's DynamicUser= runs it). Then
 * `systemd-analyze verify` passes on config/segcov.service exactly as shipped, with that
 * install seen at /usr/local in a private mount namespace (npm's prefix for a nodejs.org
 * node, one of the two places the unit's bare `ExecStart=segcov` is looked up).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AS_NOBODY } from '../helpers/readableCopy.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { configDir, repoRoot, requireBinary, run, type RunResult } from './opsHelpers.js';

const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const unitFile = path.join(configDir, 'segcov.service');

describe('install from the packed tarball (npm pack, npm install -g)', () => {
  let root = '';
  let prefix = '';
  let segcov = '';
  let store = '';

  before(async () => {
    const npm = requireBinary('npm', 'npm');
    root = await makeTmpDir('install');
    // the bundle is already built (npm test builds first): --ignore-scripts packs it as it
    // is, where a user's `npm pack` builds it again through `prepare`
    const pack = run(npm, ['pack', '--ignore-scripts', '--pack-destination', root], { cwd: repoRoot, timeoutMs: 120_000 });
    assert.equal(pack.status, 0, `npm pack failed:\n${pack.stderr}`);
    const tarball = path.join(root, `segcov-${version}.tgz`);
    assert.ok(existsSync(tarball), `npm pack wrote no ${path.basename(tarball)}: ${pack.stdout}`);
    prefix = path.join(root, 'prefix');
    // the dependencies come from the npm cache that `npm ci` filled (the registry only for what is missing)
    const install = run(npm, ['install', '-g', tarball, '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: root,
      timeoutMs: 300_000,
    });
    assert.equal(install.status, 0, `npm install -g failed:\n${install.stderr}`);
    segcov = path.join(prefix, 'bin', 'segcov');
    store = path.join(root, 'store');
    fillHour(store, 'chan', 'source', '2026-11-01T00', 0, 3600, new Set([100]));
    fillHour(store, 'chan', 'source', '2026-11-01T01', 0, 20);
    await chmod(root, 0o755); // a temporary folder is made mode 700: let nobody in
  });

  after(async () => {
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  /** Runs the installed program (its `#!/usr/bin/env node` finds node on PATH), through `command` when given. */
  function installed(args: string[], command: readonly string[] = []): RunResult {
    const argv = [...command, segcov, ...args];
    return run(argv[0], argv.slice(1), { cwd: root, timeoutMs: 120_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  }

  test('puts the program at PREFIX/bin/segcov, with the bundle and only the runtime dependencies', async () => {
    const pkg = path.join(prefix, 'lib', 'node_modules', 'segcov');
    assert.ok(existsSync(path.join(pkg, 'dist', 'bundle', 'main.cjs')));
    assert.ok(existsSync(path.join(pkg, 'config', 'segcov.service')), 'config/ ships with it');
    const deps = await readdir(path.join(pkg, 'node_modules'));
    for (const runtime of ['yaml', 'luxon', 'pg', 'bcryptjs']) assert.ok(deps.includes(runtime), `${runtime} installed`);
    for (const dev of ['typescript', 'esbuild', 'playwright-core']) assert.ok(!deps.includes(dev), `${dev} is a dev dependency`);
  });

  test('the installed segcov runs --version, --help and check', () => {
    const v = installed(['--version']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), version);
    const h = installed(['--help']);
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /--base-dir/);
    assert.match(h.stdout, /segcov check/);
    // --until is parsed with luxon, loaded from the installed dependencies
    const c = installed(['check', 'chan', '--base-dir', store, '--until', '2026-11-01T01:00:20Z']);
    assert.equal(c.status, 0, c.stderr); // one 2 s hole: warn, under --long-hole
    assert.match(c.stdout, /holes\s+1, total 2 s/);
    const strict = installed(['check', 'chan', '--base-dir', store, '--until', '2026-11-01T01:00:20Z', '--strict']);
    assert.equal(strict.status, 1, strict.stderr); // --strict: any hole fails
  });

  test('the installed daemon runs a pass from a config file: as root, dropping to --user, and started as nobody', async () => {
    const config = path.join(root, 'segcov.yaml');
    // yaml and luxon (--first-hour) load from the installed dependencies, after start-up
    await writeFile(config, `channels: [chan]\nbase-dir: ${store}\nfirst-hour: 2026-11-01T00\n`);
    const runs: Array<[string, string[], readonly string[]]> = [
      ['root', [], []],
      ['--user', ['--user', '65534:65534'], []],
      // as a DynamicUser= service starts it: the install must be readable by anyone
      ['nobody', [], AS_NOBODY],
    ];
    for (const [who, extra, command] of runs) {
      const out = path.join(root, `maps-${who.replace(/\W/g, '')}`);
      await mkdir(out, { mode: 0o777 });
      await chmod(out, 0o777); // for nobody (--user hands it over itself)
      const r = installed(['--config', config, '--output-dir', out, '--run-once', '--metrics-port', '0', ...extra], command);
      assert.equal(r.status, 0, `${who}: ${r.stderr}`);
      assert.match(r.stderr, /pass chan\/source: 2 hours/, who);
      assert.ok(existsSync(path.join(out, 'chan_source_coverage.png')), `${who}: the map is written`);
    }
  });

  test('systemd-analyze verify passes on the unit as shipped, with that install at /usr/local', () => {
    const analyze = requireBinary('systemd-analyze', 'systemd');
    requireBinary('unshare', 'util-linux');
    assert.match(
      readFileSync(unitFile, 'utf8'),
      /^ExecStart=segcov /m,
      'the unit names the program as a global install puts it on the search path',
    );
    // a private mount namespace: the bind mount is gone when the command ends
    const inNamespace = (cmd: string): RunResult =>
      run(
        'unshare',
        ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind "$1" /usr/local && ${cmd}`, 'sh', prefix, analyze, unitFile],
        { timeoutMs: 60_000 },
      );
    const found = inNamespace('PATH=/usr/local/bin:/usr/bin:/bin segcov --version');
    assert.equal(found.stdout.trim(), version, `the install at /usr/local runs:\n${found.stderr}`);
    const r = inNamespace('"$2" verify "$3"');
    const about = (r.stdout + r.stderr).split('\n').filter((l) => l.includes('segcov.service'));
    assert.equal(r.status, 0, `systemd-analyze verify failed:\n${r.stdout}${r.stderr}`);
    assert.deepEqual(about, [], `systemd-analyze verify complained about the unit:\n${about.join('\n')}`);
  });

  test('...and verify would catch a missing program or a typo', async () => {
    const analyze = requireBinary('systemd-analyze', 'systemd');
    const copy = path.join(root, 'segcov.service');
    const text = readFileSync(unitFile, 'utf8');
    await writeFile(copy, text.replace(/^ExecStart=segcov /m, 'ExecStart=segcov-not-installed '));
    const missing = run(analyze, ['verify', copy], { timeoutMs: 60_000 });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stdout + missing.stderr, /Command segcov-not-installed is not executable/);
    // an unknown key is only a warning, which the check above reads
    await writeFile(copy, text.replace('ProtectClock=yes', 'ProtectClok=yes'));
    const typo = run(analyze, ['verify', copy], { timeoutMs: 60_000 });
    assert.match(typo.stdout + typo.stderr, /Unknown key 'ProtectClok'/);
  });
});
