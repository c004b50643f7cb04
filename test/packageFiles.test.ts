import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { packageRoot, segcovVersion } from '../src/packageFiles.js';
import { REPO } from './helpers/cli.js';
import { makeTmpDir } from './helpers/tmp.js';

/** segcov finds its package folder by walking up, from dist/src/* (tsc) as from dist/bundle/. */
describe('packageRoot', () => {
  let dir: string;
  before(async () => {
    dir = await makeTmpDir('pkgroot');
    // segcov/dist/bundle/chunk.js, with another package's package.json in between
    await mkdir(path.join(dir, 'segcov', 'dist', 'bundle'), { recursive: true });
    await writeFile(path.join(dir, 'segcov', 'package.json'), JSON.stringify({ name: 'segcov', version: '1.2.3' }));
    await writeFile(path.join(dir, 'segcov', 'dist', 'package.json'), JSON.stringify({ name: 'not-segcov' }));
    await writeFile(path.join(dir, 'segcov', 'dist', 'bundle', 'package.json'), '{ broken');
    await mkdir(path.join(dir, 'bare', 'bundle'), { recursive: true });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is the nearest folder above whose package.json is segcov's", () => {
    assert.equal(packageRoot(pathToFileURL(path.join(dir, 'segcov', 'dist', 'bundle', 'chunk.js')).href), path.join(dir, 'segcov'));
  });

  it('is null without one above', () => {
    assert.equal(packageRoot(pathToFileURL(path.join(dir, 'bare', 'bundle', 'chunk.js')).href), null);
  });

  it("is the repository for the compiled tree; the version is package.json's", async () => {
    assert.equal(packageRoot(), REPO);
    const { readFileSync } = await import('node:fs');
    assert.equal(segcovVersion(), (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
