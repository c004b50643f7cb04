import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, freePort, REPO, waitFor } from '../helpers/cli.js';
import { testTmpRoot } from '../helpers/tmp.js';

interface Demo {
  readonly child: ChildProcess;
  out(): string;
  err(): string;
  readonly exited: Promise<number | null>;
}

/** Starts `npm run demo`'s program with `args`; its store goes to the tests' temporary root (RAM when there is one). */
function startDemo(args: string[]): Demo {
  const child = spawn(process.execPath, [path.join(REPO, 'dist/src/cli/runDemo.js'), ...args], {
    cwd: REPO,
    env: cleanEnv({ TMPDIR: testTmpRoot() }),
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('close', r));
  return { child, out: () => out, err: () => err, exited };
}

/** The store the demo said it made. */
function storeOf(out: string): string {
  const base = /a store of 6 hours × 2 qualities in (\S+)/.exec(out)?.[1];
  assert.ok(base !== undefined, out);
  return base;
}

/** The demo removed its store and said where it was, on its last line. */
function assertCleanedUp(out: string, base: string): void {
  assert.ok(!existsSync(base), `${base} is left behind`);
  assert.equal(out.trim().split('\n').at(-1), `segcov demo: removed the demo store ${base}`);
}

/** The README's "run the main job" command must keep working: the demo in --run-once. */
describe('npm run demo', () => {
  it('builds a demo store, runs the daemon on it, says where to look, and removes the store', async () => {
    // the textfile goes to a temporary folder: never /dev/null or any other device (issue 15)
    const outDir = mkdtempSync(path.join(testTmpRoot(), 'segcov-demo-textfile-'));
    const textfile = path.join(outDir, 'demo.prom');
    const maps = path.join(outDir, 'maps');
    try {
      const demo = startDemo(['--run-once', '--metrics-port', '0', '--textfile', textfile, '--output-dir', maps]);
      const code = await demo.exited;
      const out = demo.out();
      const err = demo.err();
      assert.equal(code, 0, err);
      assertCleanedUp(out, storeOf(out));
      assert.match(readFileSync(textfile, 'utf8'), /^raw_coverage\{channel="demo",/m, 'the textfile holds the gauges');
      assert.doesNotMatch(out, /http:\/\//, 'no URL: one pass serves nothing');
      assert.match(out, new RegExp(`maps +${maps}/demo_source_coverage\\.png`));
      for (const q of ['source', '480p']) assert.ok(existsSync(path.join(maps, `demo_${q}_coverage.png`)), `${q}: kept, outside the store`);
      const passes = err
        .split('\n')
        .filter((l) => l.includes('"msg":"pass demo/'))
        .map((l) => JSON.parse(l) as { rawHoles: number; segments: number });
      assert.equal(passes.length, 2);
      for (const p of passes) {
        assert.ok(p.segments > 5000, 'hours of 2 s segments');
        assert.ok(p.rawHoles > 0, 'the demo has holes to show');
      }
      assert.match(err, /bad_name/, 'the bad name is reported');
      assert.ok(readFileSync(path.join(REPO, 'README.md'), 'utf8').includes('npm ci && npm run demo'));
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('serving: prints the status page it serves; SIGINT stops it and removes the store', async () => {
    const port = await freePort();
    const demo = startDemo(['--metrics-port', String(port), '--check-interval', '3600']);
    try {
      await waitFor('the status page', async () =>
        (await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status,
          () => 0,
        )) === 200
          ? true
          : undefined,
      );
      assert.match(demo.out(), new RegExp(`status page +http://127\\.0\\.0\\.1:${port}/\n`));
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200, 'the URL printed is served');
      const base = storeOf(demo.out());
      demo.child.kill('SIGINT');
      assert.equal(await demo.exited, 0, demo.err());
      assertCleanedUp(demo.out(), base);
    } finally {
      demo.child.kill('SIGKILL');
    }
  });

  it('--metrics-port 0: no URL printed; SIGTERM stops it and removes the store', async () => {
    const demo = startDemo(['--metrics-port', '0', '--check-interval', '3600']);
    try {
      await waitFor('the first pass', async () => (demo.err().includes('watching the store') ? true : undefined));
      assert.doesNotMatch(demo.out(), /http:\/\//);
      assert.match(demo.out(), /no HTTP server: --metrics-port 0/);
      const base = storeOf(demo.out());
      demo.child.kill('SIGTERM');
      assert.equal(await demo.exited, 0, demo.err());
      assertCleanedUp(demo.out(), base);
    } finally {
      demo.child.kill('SIGKILL');
    }
  });
});
