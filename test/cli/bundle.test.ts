import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { cleanEnv, freePort, parseProm, REPO, runCli } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * `bin/segcov.js` runs the esbuild bundle (dist/bundle/, built by `npm run build`), and the
 * bundle works from a copy of the published files alone (package.json `files`, without
 * dist/src) in another folder, run from yet another working folder: every file it looks
 * up beside itself (package.json's version, docs/, yargs' translations, the lazily loaded
 * chunks and node_modules packages) is found from there.
 */
const PKG = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string; files: string[] };
const BUNDLE = path.join(REPO, 'dist', 'bundle');
const WAIT_MS = 60_000;

/** Runs an ES module snippet in a new Node process; its standard output. */
function runNode(code: string): Promise<string> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`node exited ${code}: ${err}`)))),
  );
}

describe('the bundled CLI', () => {
  it('is what bin/segcov.js loads: one CommonJS file with its code cache, the worker and node_modules packages beside it', async () => {
    const bin = readFileSync(path.join(REPO, 'bin', 'segcov.js'), 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('//'))
      .join('\n');
    assert.match(bin, /import\('\.\/loadBundle\.js'\)/);
    assert.doesNotMatch(bin, /dist\/src/, 'bin/ must not fall back to the unbundled tree: the tests would not test what runs');
    const files = readdirSync(BUNDLE);
    assert.deepEqual(files.filter((f) => f.endsWith('.js') || f.endsWith('.cjs')).sort(), ['main.cjs', 'passwordWorker.js']);
    const main = readFileSync(path.join(BUNDLE, 'main.cjs'), 'utf8');
    for (const pkg of ['pg', 'bcryptjs']) {
      assert.ok(!main.includes(`node_modules/${pkg}/`), `${pkg} must stay in node_modules`);
    }
    // the maps are written over node:zlib: sharp is a test-only dependency, absent from the image
    assert.doesNotMatch(main, /require\(\s*["']sharp["']\s*\)|node_modules\/sharp\//, 'the program does not load sharp');
    // functions compiled from the code cache cannot run import(): packages are require()d
    assert.doesNotMatch(main, /(?<![\w$.])import\(\s*["'`]/, 'no dynamic import() in the bundle');
    // the daemon is evaluated when the default command runs, not when the bundle loads
    assert.match(main, /init_daemon\s*=\s*__esm\(\{"dist\/src\/daemon\/daemon\.js"/, 'the daemon module is a lazily evaluated part');
    // the code cache was made by this Node, and V8 takes it
    const probe = await runNode(
      `import { loadBundle } from ${JSON.stringify(path.join(REPO, 'bin', 'loadBundle.js'))}; const b = loadBundle(); console.log(JSON.stringify({ used: b.cacheUsed, run: typeof b.exports.runFromProcess }));`,
    );
    assert.deepEqual(JSON.parse(probe), { used: true, run: 'function' });
  });

  describe('from a copy of the published files in another folder', () => {
    let root: string;
    let pkg: string;
    let elsewhere: string;
    let base: string;
    const bin = (): string => path.join(pkg, 'bin', 'segcov.js');
    const run = (args: readonly string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runCli> =>
      runCli(args, { cwd: elsewhere, env: cleanEnv({ LANG: 'C', LC_ALL: '', LANGUAGE: '', ...env }), bin: bin() });

    before(async () => {
      root = await makeTmpDir('bundle-copy');
      pkg = path.join(root, 'pkg');
      await mkdir(pkg);
      for (const f of ['package.json', ...PKG.files]) await cp(path.join(REPO, f), path.join(pkg, f), { recursive: true });
      await symlink(path.join(REPO, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
      // the working folder holds another package.json: yargs must not take its version or settings
      elsewhere = path.join(root, 'elsewhere');
      await mkdir(elsewhere);
      await writeFile(
        path.join(elsewhere, 'package.json'),
        JSON.stringify({ name: 'other', version: '9.9.9', yargs: { 'camel-case-expansion': false } }),
      );
      base = path.join(root, 'store');
      fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 3600, new Set([100, 102]));
    });
    after(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('holds the bundle and not the unbundled tree', () => {
      assert.ok(existsSync(path.join(pkg, 'dist', 'bundle', 'main.cjs')));
      assert.ok(existsSync(path.join(pkg, 'dist', 'bundle', 'main.cjs.cache')), 'the code cache is published with it');
      assert.ok(!existsSync(path.join(pkg, 'dist', 'src')), 'package.json files must not need dist/src');
    });

    it("prints its help, its own version, and usage errors in the user's language", async () => {
      const help = await run(['--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /segcov verify\s+Check stored segments/);
      assert.match(help.stdout, /--base-dir/);
      const version = await run(['--version']);
      assert.equal(version.code, 0, version.stderr);
      assert.equal(version.stdout.trim(), PKG.version);
      const german = await run(['--frob'], { LANG: 'de_DE.UTF-8' });
      assert.equal(german.code, 2);
      assert.match(german.stderr, /Unbekanntes Argument: frob/, "yargs' translations are found beside the bundle");
    });

    it('runs a pass once with a YAML config and an ISO hour (yaml and luxon bundled, the map written)', async () => {
      const textfile = path.join(root, 'out', 'coverage.prom');
      const config = path.join(root, 'segcov.yaml');
      await writeFile(config, `base-dir: ${JSON.stringify(base)}\ntextfile: ${JSON.stringify(textfile)}\nmetrics-port: 0\n`);
      const r = await run(['chan', '--config', config, '--run-once', '--first-hour', '2026-11-01 00:30']);
      assert.equal(r.code, 0, r.stderr);
      const m = parseProm(await readFile(textfile, 'utf8'));
      assert.equal(m.get('raw_coverage{channel="chan",hour="2026-11-01T00",quality="source"}'), 3596);
      assert.equal(m.get('raw_holes{channel="chan",hour="2026-11-01T00",quality="source"}'), 1);
      const png = await readFile(path.join(base, 'coverage-maps', 'chan_source_coverage.png'));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.equal(
        JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('{')) ?? '{}').app,
        'segcov',
        'logs are JSON from the first line',
      );
    });

    it('runs a subcommand (evaluated only when it runs)', async () => {
      const r = await run(['verify', '--base-dir', base, '--channel', 'chan', '--quality', 'source', '--log-level', 'warn']);
      // the generated segments are empty: none matches the hash in its name
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /^checked 1798 segments in [\d.]+ s: 1798 bad$/m);
    });

    it('serves docs/coverage.md, reports its version in segcov_build_info, and checks passwords on its worker thread', async () => {
      const port = await freePort();
      const web = path.join(root, 'web.yml');
      await writeFile(web, `basic_auth_users:\n  alice: ${bcrypt.hashSync('wonderland', 4)}\nunauthenticated_paths: [/docs/coverage.md]\n`);
      const child = spawn(
        process.execPath,
        [
          bin(),
          'chan',
          '--base-dir',
          base,
          '--metrics-port',
          String(port),
          '--metrics-host',
          '127.0.0.1',
          '--no-watch',
          '--log-level',
          'warn',
          '--web.config.file',
          web,
        ],
        { cwd: elsewhere, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      try {
        const deadline = Date.now() + WAIT_MS;
        let doc: Response | null = null;
        while (doc === null && Date.now() < deadline) {
          assert.equal(child.exitCode, null, `the daemon exited:\n${stderr}`);
          doc = await fetch(`http://127.0.0.1:${port}/docs/coverage.md`).catch(() => null);
          if (doc === null) await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(doc !== null, `no answer on port ${port} within ${WAIT_MS} ms:\n${stderr}`);
        assert.equal(doc.status, 200);
        assert.equal(await doc.text(), readFileSync(path.join(REPO, 'docs', 'coverage.md'), 'utf8'));
        const as = (password: string): RequestInit => ({
          headers: { authorization: `Basic ${Buffer.from(`alice:${password}`).toString('base64')}` },
        });
        assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`, as('looking-glass'))).status, 401);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, as('wonderland'))).text();
        assert.match(metrics, /^segcov_http_auth_failures_total 1$/m);
        assert.match(
          metrics,
          new RegExp(`^segcov_build_info\\{version="${PKG.version.replace(/\./g, '\\.')}",nodejs_version="${process.version}"\\} 1$`, 'm'),
        );
      } finally {
        child.kill('SIGTERM');
        if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      }
    });

    it('compiles afresh, and still runs, when the bundle is not the one its code cache was made from', async () => {
      const main = path.join(pkg, 'dist', 'bundle', 'main.cjs');
      const text = readFileSync(main, 'utf8');
      // the same length (V8 itself checks only that): the cache's own digest must tell
      await writeFile(main, text.replace('Watches a segment store', 'Watches a segment st0re'));
      const probe = await runNode(
        `import { loadBundle } from ${JSON.stringify(path.join(pkg, 'bin', 'loadBundle.js'))}; console.log(loadBundle().cacheUsed);`,
      );
      assert.equal(probe.trim(), 'false');
      const help = await run(['--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /Watches a segment st0re/, 'the edited bundle is what runs');
    });
  });
});
