import assert from 'node:assert/strict';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { totalLength } from '../../src/coverage/stitch.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { engineCoverage, ffprobeDecodedFrames, makeRecording, segcov } from './media.js';

const START = '2026-11-01T07:59:00Z';
const START_US = Date.parse(START) * 1000;

/** Every segment file under C/Q, as paths relative to the quality folder. */
async function segmentFiles(qdir: string): Promise<string[]> {
  const out: string[] = [];
  for (const h of (await readdir(qdir)).filter((n) => !n.startsWith('.')).sort()) {
    for (const n of (await readdir(path.join(qdir, h))).sort()) out.push(path.join(h, n));
  }
  return out;
}

/**
 * The main scenario on a two-minute recording (4 s chunks: half the ffmpeg runs of 2 s ones, keeping the suite fast) that crosses an hour boundary
 * (07:59 → 08:01): chunk into an empty store, check with the coverage engine and
 * ffprobe, delete three segments, fill them back from the same recording.
 */
describe('chunk and fill a two-minute recording', () => {
  let dir = '';
  let rec = '';
  let base = '';
  let qdir = '';
  before(async () => {
    dir = await makeTmpDir('import-main');
    rec = path.join(dir, 'rec.mp4');
    base = path.join(dir, 'store');
    qdir = path.join(base, 'ch', 'source');
    await makeRecording(rec, 120);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const common = (): string[] => [
    '--channel',
    'ch',
    '--quality',
    'source',
    '--base-dir',
    base,
    '--start-at',
    START,
    '--preset',
    'ultrafast',
    '--workers',
    '2',
    '--log-level',
    'warn',
    '--chunk-duration',
    '4',
  ];

  it('chunks into an empty store: full coverage, no holes, every segment decodes', async () => {
    const manifest = path.join(dir, 'chunk.json');
    const r = await segcov(['chunk', rec, ...common(), '--manifest', manifest]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /landed 30 of 30 segments \(0 already present, 0 failed\)/);

    const hours = await engineCoverage(base, 'ch', 'source');
    assert.deepEqual(
      hours.map((h) => h.result.hour),
      ['2026-11-01T07', '2026-11-01T08'],
    );
    for (const h of hours) {
      assert.deepEqual(h.rawHoles, [], `raw holes in ${h.result.hour}`);
      assert.deepEqual(h.editableHoles, [], `editable holes in ${h.result.hour}`);
      assert.deepEqual(h.result.overlapCount, { full: 0, suspect: 0, partial: 0 });
    }
    const raw = hours.reduce((s, h) => s + h.result.rawCoverage, 0);
    assert.equal(raw, 120_000_000, 'raw coverage is exactly the two minutes');
    assert.equal(hours[0].result.chain?.first, START_US);
    assert.equal(hours[1].result.chain?.reach, START_US + 120_000_000);

    const files = await segmentFiles(qdir);
    assert.equal(files.length, 30);
    const frames: number[] = [];
    for (const f of files) frames.push(await ffprobeDecodedFrames(path.join(qdir, f)));
    assert.deepEqual(
      frames,
      files.map(() => 120),
      'every 4 s segment decodes to its 120 frames',
    );

    const m = JSON.parse(await readFile(manifest, 'utf8')) as {
      sourceDuration: number;
      chunkDuration: number;
      totals: { processed: number; failed: number };
      segments: { sequence: number; file: string; start: string; duration: number; tries: number; error: string | null }[];
    };
    assert.equal(m.sourceDuration, 120);
    assert.equal(m.chunkDuration, 4);
    assert.deepEqual([m.totals.processed, m.totals.failed], [30, 0]);
    assert.deepEqual(
      m.segments.map((s) => s.sequence),
      [...Array(30).keys()],
    );
    assert.equal(m.segments[15].start, '2026-11-01T08:00:00.000000Z');
    assert.ok(m.segments.every((s) => s.duration === 4 && s.tries === 1 && s.error === null));
  });

  it('fills exactly the three holes left by deleting three segments', async () => {
    const files = await segmentFiles(qdir);
    const gone = [files[4], files[14], files[25]];
    for (const f of gone) await rm(path.join(qdir, f));
    const holes = (await engineCoverage(base, 'ch', 'source')).flatMap((h) => h.rawHoles);
    assert.equal(holes.length, 3);
    assert.equal(totalLength(holes), 12_000_000);

    const dry = await segcov(['fill', rec, ...common(), '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout.split('\n').filter((l) => l.startsWith('would cut')).length, 3);
    assert.deepEqual(
      await segmentFiles(qdir),
      files.filter((f) => !gone.includes(f)),
      'dry run cut nothing',
    );

    const r = await segcov(['fill', rec, ...common(), '--processor', 'cut,checksum,decode']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /before: 108\.000 s of 120\.000 s covered \(90\.00%\), 3 holes/);
    assert.match(r.stdout, /after: 120\.000 s of 120\.000 s covered \(100\.00%\), 0 holes/);
    // The before/after picture of the range: 60 characters of 2 s, holes before, none after.
    assert.match(r.stdout, /^before \|[#+.]{60}\| 2 s a character$/m);
    assert.match(r.stdout, /^before \|[^|]*[+.][^|]*\|/m);
    assert.match(r.stdout, /^after {2}\|#{60}\| 2 s a character$/m);
    const hours = await engineCoverage(base, 'ch', 'source');
    assert.deepEqual(
      hours.flatMap((h) => [...h.rawHoles, ...h.editableHoles]),
      [],
    );
    assert.equal(
      hours.reduce((s, h) => s + h.result.rawCoverage, 0),
      120_000_000,
    );
    const names = (await segmentFiles(qdir)).map((f) => f.split('-')[0]);
    assert.deepEqual(
      names,
      files.map((f) => f.split('-')[0]),
      'the refilled segments sit exactly where the deleted ones were',
    );
  });

  it('never overwrites: chunking again finds every full segment present', async () => {
    const beforeFiles = await segmentFiles(qdir);
    const r = await segcov(['chunk', rec, ...common(), '--from', '0', '--to', '12']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /landed 0 of 3 segments \(3 already present, 0 failed\)/);
    assert.deepEqual(await segmentFiles(qdir), beforeFiles);
    assert.deepEqual(
      (await readdir(qdir)).filter((n) => n.startsWith('.')),
      [],
      'no temp file left',
    );
  });
});
