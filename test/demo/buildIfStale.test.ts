import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * `npm run demo` runs scripts/buildIfStale.mjs first: after `npm ci` (which builds through
 * `prepare`) it must not build again, and after a source changed it must. Run on a package
 * folder of its own whose `build` script only counts its runs.
 */
describe('npm run demo builds only when the build is missing or stale', () => {
  it('builds when dist is missing, not when it is newer than its sources, again after a source changed', async () => {
    const root = await makeTmpDir('build-if-stale');
    try {
      const builds = path.join(root, 'builds.txt');
      await writeFile(
        path.join(root, 'package.json'),
        JSON.stringify({
          name: 'fake',
          private: true,
          scripts: { build: `node -e "require('fs').appendFileSync('builds.txt', 'x')"` },
        }),
      );
      await mkdir(path.join(root, 'src'));
      await writeFile(path.join(root, 'src', 'a.ts'), 'export {};\n');
      const count = (): number => (existsSync(builds) ? readFileSync(builds, 'utf8').length : 0);
      const run = (): string => {
        const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'buildIfStale.mjs')], {
          cwd: root,
          encoding: 'utf8',
          timeout: 120_000,
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };

      assert.match(run(), /building: dist\/bundle\/main\.cjs\.cache is missing/);
      assert.equal(count(), 1);

      // the build's last output, newer than every source: up to date
      const stamp = path.join(root, 'dist', 'bundle', 'main.cjs.cache');
      await mkdir(path.dirname(stamp), { recursive: true });
      await writeFile(stamp, '');
      const t0 = new Date(Date.now() - 60_000);
      for (const p of [path.join(root, 'src', 'a.ts'), path.join(root, 'src'), path.join(root, 'package.json')]) await utimes(p, t0, t0);
      assert.equal(run(), '');
      assert.equal(count(), 1, 'no second build');

      // a source edited after the build
      const later = new Date(Date.now() + 60_000);
      await utimes(path.join(root, 'src', 'a.ts'), later, later);
      assert.match(run(), /building: src changed since the last build/);
      assert.equal(count(), 2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
