import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../helpers/cli.js';
import { testTmpRoot } from '../helpers/tmp.js';

/** The README's "run the main job" command must keep working: the demo in --run-once. */
describe('npm run demo', () => {
  it('builds a demo store, runs the daemon on it and says where to look', async () => {
    // the textfile goes to a temporary folder: never /dev/null or any other device (issue 15)
    const outDir = mkdtempSync(path.join(testTmpRoot(), 'segcov-demo-textfile-'));
    const textfile = path.join(outDir, 'demo.prom');
    const child = spawn(process.execPath, [path.join(REPO, 'dist/src/cli/runDemo.js'), '--run-once', '--metrics-port', '0', '--textfile', textfile], { cwd: REPO });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, err);
    const base = /a store of 6 hours × 2 qualities in (\S+)/.exec(out)?.[1];
    assert.ok(base !== undefined, out);
    try {
      assert.match(readFileSync(textfile, 'utf8'), /^raw_coverage\{channel="demo",/m, 'the textfile holds the gauges');
      assert.match(out, /status page\s+http:\/\/127\.0\.0\.1:0\//);
      for (const q of ['source', '480p']) assert.ok(existsSync(path.join(base, 'coverage-maps', `demo_${q}_coverage.png`)), q);
      const passes = err.split('\n').filter((l) => l.includes('"msg":"pass demo/')).map((l) => JSON.parse(l) as { rawHoles: number; segments: number });
      assert.equal(passes.length, 2);
      for (const p of passes) {
        assert.ok(p.segments > 5000, 'hours of 2 s segments');
        assert.ok(p.rawHoles > 0, 'the demo has holes to show');
      }
      assert.match(err, /bad_name/, 'the bad name is reported');
      assert.ok(readFileSync(path.join(REPO, 'README.md'), 'utf8').includes('npm ci && npm run demo'));
    } finally {
      rmSync(base, { recursive: true, force: true });
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
