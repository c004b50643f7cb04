import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { CoverageMap } from '../../src/coverage/mapPixels.js';
import { mapToRgb, renderMapPng } from '../../src/outputs/mapPng.js';
import { REPO } from '../helpers/cli.js';

describe('map PNG memory (issue 9: RSS of a long-running daemon)', () => {
  it('libvips keeps no operation cache and runs one thread once a map is drawn', async () => {
    const map: CoverageMap = { width: 6, height: 3, origin: 0, hours: 1, pixels: Uint8Array.from({ length: 18 }, (_v, i) => i % 3) };
    const png = await renderMapPng(map);
    // the pixels survive exactly (SPEC §5 colours)
    const back = await sharp(png).removeAlpha().raw().toBuffer();
    assert.ok(back.equals(mapToRgb(map)));
    const stats = sharp.cache();
    assert.equal(stats.items.max, 0, 'no cached operations');
    assert.equal(stats.memory.max, 0, 'no cache memory');
    assert.equal(stats.files.max, 0, 'no cached files');
    assert.equal(sharp.concurrency(), 1, 'one libvips thread');
  });

  it('the shipped systemd unit caps glibc malloc arenas', () => {
    const unit = readFileSync(path.join(REPO, 'config', 'segcov.service'), 'utf8');
    const env = unit.split('\n').filter((l) => l.startsWith('Environment=')).flatMap((l) => l.slice('Environment='.length).split(/\s+/));
    assert.ok(env.includes('MALLOC_ARENA_MAX=2'), env.join(' '));
  });
});
