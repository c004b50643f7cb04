import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTmpDir } from '../helpers/tmp.js';
import { engineCoverage, makeRecording, segcov } from './media.js';

/**
 * An OBS-style MPEG-TS recording: timestamps start at 1.4 s, audio a little before video,
 * keyframes only every 5 s. MPEG-TS seeks can land on the keyframe *after* the target
 * and the first frame is not at offset 0 — the cases that break naive cutting.
 */
describe('chunking an MPEG-TS recording with long GOPs', () => {
  let dir = '';
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('joins every segment exactly and measures the real start', async () => {
    dir = await makeTmpDir('import-ts');
    const rec = path.join(dir, 'rec.ts');
    await makeRecording(rec, 12, { gopFrames: 150, format: 'mpegts' });
    const base = path.join(dir, 'store');
    const r = await segcov([
      'chunk',
      rec,
      '--channel',
      'c',
      '--quality',
      'q',
      '--base-dir',
      base,
      '--start-at',
      '2026-11-01T12:00:00Z',
      '--preset',
      'ultrafast',
      '--workers',
      '2',
      '--log-level',
      'warn',
      '--processor',
      'cut,checksum,decode',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /landed 6 of 6 segments/);
    const [h] = await engineCoverage(base, 'c', 'q');
    assert.deepEqual(h.rawHoles, []);
    assert.deepEqual(h.editableHoles, []);
    assert.deepEqual(h.result.overlapCount, { full: 0, suspect: 0, partial: 0 });
    const start = Date.UTC(2026, 10, 1, 12) * 1000;
    // video starts a little after the container's start (audio comes first)
    assert.ok(h.result.chain!.first > start && h.result.chain!.first < start + 100_000, String(h.result.chain!.first - start));
    assert.equal(h.result.rawCoverage, 12_000_000);
  });
});
