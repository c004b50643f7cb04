/**
 * The Dockerfile cannot be built here (no Docker engine), so its structure is checked, and the
 * runtime stage's file set is rebuilt by hand (production dependencies only, the compiled
 * program, bin/) and run: the daemon must start from it and answer the image's HEALTHCHECK.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { makeTmpDir } from '../helpers/tmp.js';
import { compiledRoot, freePort, repoRoot, requireBinary, run, stages, instructions, type Stage } from './opsHelpers.js';

const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const parsed = stages(instructions(dockerfile));
const runtime = parsed.stages[parsed.stages.length - 1];
const ops = (s: Stage, op: string): string[] => s.body.filter((i) => i.op === op).map((i) => i.args);
const stageByName = (name: string): Stage | undefined => parsed.stages.find((s) => s.name === name);

/** `.dockerignore` patterns (Docker matches them against the path from the context root). */
function ignored(rel: string): boolean {
  const patterns = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}(/.*)?$`,
    );
    return re.test(rel);
  });
}

/** The runtime stage's ENV (both `K=V K=V` and `K V` forms). */
function runtimeEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of ops(runtime, 'ENV')) {
    if (e.includes('=')) for (const m of e.matchAll(/(\w+)=(\S+)/g)) out[m[1]] = m[2];
    else {
      const [k, ...v] = e.split(' ');
      out[k] = v.join(' ');
    }
  }
  return out;
}

/** The JSON-form command of HEALTHCHECK ... CMD [...]. */
function healthcheckCommand(): string[] {
  const hc = ops(runtime, 'HEALTHCHECK');
  assert.equal(hc.length, 1, 'one HEALTHCHECK in the runtime stage');
  const m = /CMD (\[.*\])$/.exec(hc[0]);
  assert.ok(m !== null, `HEALTHCHECK must use the exec (JSON) form: ${hc[0]}`);
  return JSON.parse(m[1]) as string[];
}

describe('Dockerfile', () => {
  test('caps glibc malloc arenas as the systemd unit does (RSS stays flat under churn)', () => {
    assert.equal(runtimeEnv().MALLOC_ARENA_MAX, '2');
    assert.match(readFileSync(path.join(repoRoot, 'config', 'segcov.service'), 'utf8'), /^Environment=MALLOC_ARENA_MAX=2$/m);
  });

  test('is multi-stage: named build stages and a runtime stage on a slim Node 20 image', () => {
    assert.ok(parsed.stages.length >= 2, 'at least a build and a runtime stage');
    for (const s of parsed.stages) assert.ok(s.name !== '', `stage FROM ${s.from} has no name`);
    assert.equal(runtime.name, 'runtime');
    const base = runtime.from.replace(/^\$\{?(\w+)\}?$/, (_w, k: string) => parsed.args.get(k) ?? '');
    assert.match(base, /^node:20(\.\d+)*-[a-z]+-slim$/, `runtime base ${base} is not a slim Node 20 image`);
  });

  test('starts as root only to bind its port and make its output folder, then runs as the user it creates', () => {
    const users = ops(runtime, 'USER');
    assert.deepEqual(users, ['0:0'], 'root at start: the stock deployments bind port 80 and write into a root-owned /mnt');
    const env = runtimeEnv();
    assert.equal(env.SEGCOV_USER, '10001:10001', 'segcov drops to this user once the port is bound');
    assert.ok(
      ops(runtime, 'RUN').some((r) => r.includes('useradd') && r.includes('--uid 10001')),
      'no useradd for uid 10001',
    );
    assert.ok(env.SEGCOV_PORT_FILE?.startsWith('/tmp/'), 'the health check reads the URL the daemon writes');
  });

  test('ffmpeg is installed in the runtime stage, without recommends, apt lists removed', () => {
    const install = ops(runtime, 'RUN').find((r) => /apt-get install/.test(r));
    assert.ok(install !== undefined, 'no apt-get install in the runtime stage');
    assert.match(install, /apt-get update/);
    assert.match(install, /--no-install-recommends/);
    assert.match(install, /\bffmpeg\b/);
    assert.match(install, /rm -rf \/var\/lib\/apt\/lists/);
  });

  test('production dependencies come from npm ci --omit=dev; the compiler stays in the build stage', () => {
    const copies = ops(runtime, 'COPY');
    const nm = copies.find((c) => /node_modules/.test(c));
    assert.ok(nm !== undefined, 'runtime copies node_modules from a stage');
    const from = /--from=(\S+)/.exec(nm)?.[1] ?? '';
    const deps = stageByName(from);
    assert.ok(deps !== undefined, `COPY --from=${from}: no such stage`);
    assert.ok(
      ops(deps, 'RUN').some((r) => /npm ci\b.*--omit=dev/.test(r)),
      `stage ${from} does not run npm ci --omit=dev`,
    );
    const build = stageByName('build');
    assert.ok(build !== undefined);
    assert.ok(
      ops(build, 'RUN').some((r) => /npm ci\b/.test(r) && !/--omit=dev/.test(r)),
      'build stage installs dev dependencies',
    );
    assert.ok(
      ops(build, 'RUN').some((r) => /\bnpm run build\b/.test(r)),
      'build stage builds (tsc, then the bundle)',
    );
    const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.match(scripts.build, /tsc -p tsconfig\.json && node dist\/scripts\/bundle\.js/, 'npm run build compiles, then bundles');
    assert.ok(
      copies.some((c) => /--from=build \S*dist\/bundle \S*dist\/bundle/.test(c)),
      'runtime copies dist/bundle from the build stage',
    );
    assert.ok(!copies.some((c) => /dist\/src/.test(c)), 'the runtime needs the bundle alone, not the unbundled dist/src');
    for (const r of ops(runtime, 'RUN'))
      assert.doesNotMatch(r, /\bnpm (ci|install)\b|\btsc\b/, 'no installs or compiles in the runtime stage');
    for (const c of copies.filter((x) => x.includes('--from='))) {
      const name = /--from=(\S+)/.exec(c)?.[1] ?? '';
      assert.ok(stageByName(name) !== undefined, `COPY --from=${name}: no such stage`);
    }
  });

  test('every file copied from the build context exists and is not excluded by .dockerignore', () => {
    const contextCopies = parsed.stages.flatMap((s) => ops(s, 'COPY')).filter((c) => !c.includes('--from='));
    assert.ok(contextCopies.length >= 3);
    for (const c of contextCopies) {
      const words = c.split(' ').filter((w) => !w.startsWith('--'));
      for (const src of words.slice(0, -1)) {
        assert.ok(existsSync(path.join(repoRoot, src)), `COPY ${src}: not in the repository`);
        assert.ok(!ignored(src.replace(/\/$/, '')), `COPY ${src}: excluded by .dockerignore`);
      }
    }
    for (const heavy of ['node_modules', 'dist', '.git', 'test']) assert.ok(ignored(heavy), `.dockerignore should exclude ${heavy}`);
  });

  test('serves on 8006 (compose) or 80 (Kubernetes) with a HEALTHCHECK on /healthz, and starts the daemon under an init', () => {
    assert.deepEqual(ops(runtime, 'EXPOSE'), ['8006 80']);
    const cmd = healthcheckCommand();
    assert.deepEqual(cmd, ['node', '/app/bin/healthcheck.js'], 'the healthcheck needs no curl/wget in the image');
    assert.match(readFileSync(path.join(repoRoot, 'bin', 'healthcheck.js'), 'utf8'), /\/healthz/);
    assert.match(ops(runtime, 'HEALTHCHECK')[0], /--interval=\S+ .*--timeout=\S+/);
    const entry = JSON.parse(ops(runtime, 'ENTRYPOINT')[0] ?? '[]') as string[];
    assert.deepEqual(entry, ['/usr/bin/tini', '--', 'node', '/app/bin/segcov.js']);
    assert.match(ops(runtime, 'RUN').join(' '), /apt-get install[^&]*\btini\b/, 'tini is installed');
  });

  test("the build stage's context (package files, tsconfig.json, src/, scripts/, bin/) builds dist/bundle, without the tests", async () => {
    const build = stageByName('build');
    assert.ok(build !== undefined);
    const copied = ops(build, 'COPY').flatMap((c) =>
      c
        .split(' ')
        .filter((w) => !w.startsWith('--'))
        .slice(0, -1),
    );
    assert.deepEqual(copied.sort(), ['bin', 'package-lock.json', 'package.json', 'scripts', 'src', 'tsconfig.json']);
    const dir = await makeTmpDir('ops-build');
    try {
      for (const f of copied) await cp(path.join(repoRoot, f), path.join(dir, f), { recursive: true });
      // The dev dependencies npm ci would install from the same lock file.
      await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      const build = run(requireBinary('npm', 'npm'), ['run', 'build'], { cwd: dir, timeoutMs: 180_000 });
      assert.equal(build.status, 0, `npm run build in the build stage's context failed:\n${build.stdout}${build.stderr}`);
      assert.ok(existsSync(path.join(dir, 'dist', 'bundle', 'main.cjs')), 'dist/bundle/main.cjs, which bin/segcov.js loads');
      assert.ok(existsSync(path.join(dir, 'dist', 'bundle', 'main.cjs.cache')), 'with the code cache of its training run');
      assert.ok(!existsSync(path.join(dir, 'dist', 'test')), 'tests are not compiled into the image');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the runtime file set (production deps, dist/bundle, bin) runs the daemon, which passes the HEALTHCHECK', async () => {
    const npm = requireBinary('npm', 'npm');
    const app = await makeTmpDir('ops-image');
    let daemon: ReturnType<typeof spawn> | undefined;
    try {
      // What the deps and runtime stages put in /app.
      await copyFile(path.join(repoRoot, 'package.json'), path.join(app, 'package.json'));
      await copyFile(path.join(repoRoot, 'package-lock.json'), path.join(app, 'package-lock.json'));
      const ci = run(npm, ['ci', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'], {
        cwd: app,
        timeoutMs: 180_000,
      });
      assert.equal(ci.status, 0, `npm ci --omit=dev failed:\n${ci.stderr}`);
      assert.ok(!existsSync(path.join(app, 'node_modules', 'typescript')), 'dev dependencies were installed');
      await cp(path.join(compiledRoot, 'bundle'), path.join(app, 'dist', 'bundle'), { recursive: true });
      await cp(path.join(repoRoot, 'bin'), path.join(app, 'bin'), { recursive: true });
      await cp(path.join(repoRoot, 'docs'), path.join(app, 'docs'), { recursive: true });

      const help = run(process.execPath, [path.join(app, 'bin', 'segcov.js'), '--help'], { cwd: app });
      assert.equal(help.status, 0, `segcov --help from the runtime file set failed:\n${help.stderr}`);
      assert.match(help.stdout, /--base-dir/);

      // A store and the daemon, configured through the environment as in the image.
      const base = path.join(app, 'store');
      const hour = path.join(base, 'chan', 'source', '2026-11-01T00');
      await mkdir(hour, { recursive: true });
      await writeFile(path.join(hour, '00:00.000000-2.000-full-AAAA.ts'), '');
      const port = await freePort();
      const env = {
        ...process.env,
        SEGCOV_METRICS_PORT: String(port),
        SEGCOV_METRICS_HOST: '127.0.0.1',
        SEGCOV_LOG_LEVEL: 'warn',
        SEGCOV_PORT_FILE: path.join(app, 'healthz-url'),
      };
      daemon = spawn(process.execPath, [path.join(app, 'bin', 'segcov.js'), 'chan', '--base-dir', base, '--no-watch'], {
        cwd: app,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      daemon.stderr?.on('data', (b: Buffer) => {
        stderr += b.toString();
      });

      const [cmd, ...hcArgs] = healthcheckCommand();
      assert.equal(cmd, 'node');
      const args = hcArgs.map((a) => a.replace(/^\/app\//, `${app}/`));
      const healthy = async (): Promise<number | null> => run(process.execPath, args, { env, timeoutMs: 10_000 }).status;
      const deadline = Date.now() + 60_000;
      let status = await healthy();
      while (status !== 0 && Date.now() < deadline) {
        assert.equal(daemon.exitCode, null, `the daemon exited:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
        status = await healthy();
      }
      assert.equal(status, 0, `HEALTHCHECK failed against the running daemon on port ${port}:\n${stderr}`);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /^raw_coverage\{channel="chan",hour="2026-11-01T00",quality="source"\} 2$/m);
      // files the bundle finds beside itself: the version in package.json, docs/coverage.md
      const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
      assert.match(metrics, new RegExp(`^segcov_build_info\\{version="${version.replace(/\./g, '\\.')}",`, 'm'));
      const doc = await fetch(`http://127.0.0.1:${port}/docs/coverage.md`);
      assert.equal(doc.status, 200);
      assert.equal(await doc.text(), readFileSync(path.join(repoRoot, 'docs', 'coverage.md'), 'utf8'));

      // ...and it fails when nothing answers.
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon?.once('exit', r));
      assert.equal(await healthy(), 1, 'HEALTHCHECK passed with the daemon stopped');
    } finally {
      if (daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
      await rm(app, { recursive: true, force: true });
    }
  });
});
