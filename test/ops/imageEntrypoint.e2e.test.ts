/**
 * No container engine runs here (podman installs but cannot start containers in this
 * sandbox: setrlimit is refused), so the image is proven the other way the issue allows:
 * the runtime file set is rebuilt as the Dockerfile's stages make it, and the image's exact
 * ENTRYPOINT, ENV and user (root at start) run in fresh mount, network and PID namespaces —
 * the file set at /app, a root-owned store at /mnt, a private /tmp, only a loopback
 * interface, tini as PID 1, exactly as in a container. The Dockerfile's HEALTHCHECK command
 * runs inside the same namespaces.
 *
 * Scenarios: wubloader's Kubernetes arguments (`--metrics-port 80`), its compose arguments
 * (port 8006 by default), and the port given only through SEGCOV_METRICS_PORT.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTmpDir } from '../helpers/tmp.js';
import { compiledRoot, instructions, repoRoot, requireBinary, run } from './opsHelpers.js';

const asRoot = process.getuid?.() === 0;
const list = instructions(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
const runtimeStart = list.map((i) => i.op).lastIndexOf('FROM');
const runtime = list.slice(runtimeStart + 1);
const ENTRYPOINT = JSON.parse(runtime.find((i) => i.op === 'ENTRYPOINT')?.args ?? '[]') as string[];
const HEALTHCHECK = JSON.parse(/CMD (\[.*\])$/.exec(runtime.find((i) => i.op === 'HEALTHCHECK')?.args ?? '')?.[1] ?? '[]') as string[];
const IMAGE_ENV: Record<string, string> = {};
for (const e of runtime.filter((i) => i.op === 'ENV')) for (const m of e.args.matchAll(/(\w+)=(\S+)/g)) IMAGE_ENV[m[1]] = m[2];
const IMAGE_USER = runtime.find((i) => i.op === 'USER')?.args ?? '';
/** wubloader's Kubernetes entry for segment_coverage (k8s.jsonnet), channel and qualities filled in. */
const K8S_ARGS = [
  'desertbus',
  '--base-dir',
  '/mnt',
  '--qualities',
  'source,480p',
  '--metrics-port',
  '80',
  '--first-hour',
  '1969-12-31T00:00:00Z',
  '--last-hour',
  '1970-01-07T00:00:00Z',
  '--make-page',
  '--connection-string',
  'dbname=wubloader user=vst password=x host=db.invalid',
];
/** Its compose entry: the same without --metrics-port (8006 by default). */
const COMPOSE_ARGS = K8S_ARGS.filter((_a, i) => i !== 5 && i !== 6);

/** Runs a command in a process's namespaces (mount, network, PID). */
function inside(pid: number, cmd: string[], env: Record<string, string>): { status: number | null; stdout: string } {
  const r = spawnSync(
    'nsenter',
    ['--target', String(pid), '--mount', '--net', '--pid', '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd],
    { encoding: 'utf8', timeout: 20_000 },
  );
  return { status: r.status, stdout: r.stdout };
}

/** The host PID of the namespace's PID 1 (unshare --fork's child). */
async function childPid(parent: number): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const text = await readFileSafe(`/proc/${parent}/task/${parent}/children`);
    const pid = Number(text.trim().split(/\s+/)[0]);
    if (pid > 0) return pid;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('unshare started no child');
}

async function readFileSafe(p: string): Promise<string> {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

/** The uid of the node process under tini (the segcov daemon). */
async function daemonUid(tiniPid: number): Promise<number | null> {
  const children = (await readFileSafe(`/proc/${tiniPid}/task/${tiniPid}/children`))
    .trim()
    .split(/\s+/)
    .filter((x) => x !== '');
  for (const c of children) {
    const status = await readFileSafe(`/proc/${c}/status`);
    const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    if (m !== null) return Number(m[2]);
  }
  return null;
}

describe('the container image, run by its exact entrypoint in namespaces (no engine here)', { skip: false }, () => {
  let app = '';
  let root = '';
  let createdApp = false;

  before(async () => {
    assert.ok(asRoot, 'the image starts as root: this test must run as root (CI does)');
    requireBinary('tini', 'tini');
    requireBinary('unshare', 'util-linux');
    requireBinary('nsenter', 'util-linux');
    const npm = requireBinary('npm', 'npm');
    root = await makeTmpDir('ops-entry');
    app = path.join(root, 'app');
    await mkdir(app);
    await copyFile(path.join(repoRoot, 'package.json'), path.join(app, 'package.json'));
    await copyFile(path.join(repoRoot, 'package-lock.json'), path.join(app, 'package-lock.json'));
    const ci = run(npm, ['ci', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'], {
      cwd: app,
      timeoutMs: 300_000,
    });
    assert.equal(ci.status, 0, `npm ci --omit=dev failed:\n${ci.stderr}`);
    // the bundled CLI, as the runtime stage copies it from the build stage
    await cp(path.join(compiledRoot, 'bundle'), path.join(app, 'dist', 'bundle'), { recursive: true });
    await cp(path.join(repoRoot, 'bin'), path.join(app, 'bin'), { recursive: true });
    await cp(path.join(repoRoot, 'docs'), path.join(app, 'docs'), { recursive: true });
    await chmod(app, 0o755);
    if (!existsSync('/app')) {
      await mkdir('/app');
      createdApp = true;
    }
  });

  after(async () => {
    if (createdApp) await rmdir('/app').catch(() => {});
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  async function makeStore(name: string): Promise<string> {
    const store = path.join(root, name);
    for (const q of ['source', '480p']) {
      const dir = path.join(store, 'desertbus', q, '2026-11-01T00');
      await mkdir(dir, { recursive: true });
      for (let s = 0; s < 10; s += 2) await writeFile(path.join(dir, `00:${String(s).padStart(2, '0')}.000000-2.000-full-AAAA.ts`), 'x');
    }
    // root-owned and world-readable, as the downloader leaves it
    for (const d of [store, path.join(store, 'desertbus')]) await chmod(d, 0o755);
    return store;
  }

  async function scenario(name: string, args: string[], extraEnv: Record<string, string>, port: number): Promise<void> {
    const store = await makeStore(`store-${name}`);
    const before = (await readdir(path.join(store, 'desertbus', 'source', '2026-11-01T00'))).sort();
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', ...IMAGE_ENV, ...extraEnv };
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    // the container: private /tmp, the file set at /app, the store at /mnt, loopback only, as the image's USER
    const script = `mount -t tmpfs tmpfs /tmp && mount --bind "$1" /app && mount --bind "$2" /mnt && ip link set lo up && shift 2 && exec "$@"`;
    const uidGid = IMAGE_USER.split(':');
    const proc: ChildProcess = spawn(
      'unshare',
      [
        '--mount',
        '--net',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
        'sh',
        app,
        store,
        'setpriv',
        `--reuid=${uidGid[0]}`,
        `--regid=${uidGid[1] ?? uidGid[0]}`,
        '--clear-groups',
        'env',
        '-i',
        ...envArgs,
        ...ENTRYPOINT,
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    proc.stdout?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    proc.stderr?.on('data', (b: Buffer) => {
      log += b.toString();
    });
    let pid = 0;
    try {
      pid = await childPid(proc.pid as number);
      // the HEALTHCHECK, as the engine runs it: inside, with the image's environment
      const deadline = Date.now() + 60_000;
      let healthy = inside(pid, HEALTHCHECK, env).status;
      while (healthy !== 0) {
        assert.equal(proc.exitCode, null, `the container exited:\n${log}`);
        assert.ok(Date.now() < deadline, `HEALTHCHECK never passed:\n${log}`);
        await new Promise((r) => setTimeout(r, 250));
        healthy = inside(pid, HEALTHCHECK, env).status;
      }
      // really on the expected port, and /metrics serving every hour
      const metrics = inside(
        pid,
        ['node', '-e', `fetch('http://127.0.0.1:${port}/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))`],
        env,
      );
      assert.match(metrics.stdout, /raw_coverage\{channel="desertbus",hour="2026-11-01T00",quality="480p"\} 10/);
      // after binding, the daemon runs as the image's unprivileged user
      assert.equal(await daemonUid(pid), Number(IMAGE_ENV.SEGCOV_USER.split(':')[0]), `daemon uid\n${log}`);
      // maps and the old page names in /mnt/coverage-maps, owned by that user; the store untouched
      const maps = path.join(store, 'coverage-maps');
      const page = path.join(maps, 'desertbus_480p_coverage.html');
      for (let i = 0; i < 240 && !existsSync(page); i++) await new Promise((r) => setTimeout(r, 250));
      for (const f of ['desertbus_source_coverage.png', 'desertbus_480p_coverage.png', 'desertbus_source_coverage.html', 'index.html']) {
        assert.ok(existsSync(path.join(maps, f)), `${f} not written\n${log}`);
      }
      assert.equal((await stat(maps)).uid, 10001);
      assert.deepEqual((await readdir(path.join(store, 'desertbus', 'source', '2026-11-01T00'))).sort(), before);
      // docker stop: SIGTERM to the container's PID 1 (tini), which passes it on
      process.kill(pid, 'SIGTERM');
      const code = await new Promise((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.once('exit', r)));
      assert.equal(code, 0, `the container did not stop cleanly:\n${log}`);
    } finally {
      if (proc.exitCode === null) {
        if (pid > 0) process.kill(pid, 'SIGKILL');
        proc.kill('SIGKILL');
        await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      }
    }
  }

  test("Kubernetes: wubloader's arguments with --metrics-port 80", async () => {
    await scenario('k8s', K8S_ARGS, {}, 80);
  });

  test('compose: the same arguments, port 8006 by default', async () => {
    await scenario('compose', COMPOSE_ARGS, {}, 8006);
  });

  test('the HEALTHCHECK follows a port given only through the environment', async () => {
    await scenario('env', COMPOSE_ARGS, { SEGCOV_METRICS_PORT: '9100' }, 9100);
  });
});
