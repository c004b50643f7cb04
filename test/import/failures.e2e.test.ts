import assert from 'node:assert/strict';
import { chmod, readFile, readdir, rm, writeFile, open } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTmpDir } from '../helpers/tmp.js';
import { engineCoverage, makeRecording, segcov } from './media.js';

interface ManifestJson {
  error: string | null;
  totals: { planned: number; processed: number; landed: number; failed: number };
  segments: { sequence: number; status: string; file: string | null; tries: number; error: string | null }[];
}

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

describe('failures, retries and verify', () => {
  let dir = '';
  let rec = '';
  before(async () => {
    dir = await makeTmpDir('import-fail');
    rec = path.join(dir, 'rec.mp4');
    await makeRecording(rec, 10);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const args = (base: string): string[] => [
    '--channel',
    'ch',
    '--quality',
    'q',
    '--base-dir',
    base,
    '--start-at',
    '2026-11-01T10:00:00Z',
    '--preset',
    'ultrafast',
    '--workers',
    '2',
    '--retry-delay',
    '10',
    '--log-level',
    'warn',
  ];

  it('retries a chunk whose ffmpeg run fails once; reports one that always fails, and lands the rest', async () => {
    const base = path.join(dir, 'retry-store');
    // A stand-in ffmpeg: the first run for chunk 2 fails, every run for chunk 4 fails.
    // Chunks are told apart by their temp file names (…-SEQ-TRY-N.ts).
    const wrapper = path.join(dir, 'flaky-ffmpeg');
    await writeFile(
      wrapper,
      [
        '#!/bin/sh',
        'for a in "$@"; do',
        '  case "$a" in',
        '    */.segcov-import-*-2-1-*.ts) echo "simulated failure (once)" >&2; exit 1;;',
        '    */.segcov-import-*-4-*.ts) echo "simulated failure (always)" >&2; exit 1;;',
        '  esac',
        'done',
        'exec ffmpeg "$@"',
        '',
      ].join('\n'),
    );
    await chmod(wrapper, 0o755);
    const manifest = path.join(dir, 'retry.json');
    const r = await segcov(['chunk', rec, ...args(base), '--ffmpeg', wrapper, '--manifest', manifest]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /landed 4 of 5 segments \(0 already present, 1 failed\)/);
    assert.match(r.stdout, /failed: chunk 4 at 2026-11-01T10:00:08\.000000Z after 4 tries: .*simulated failure \(always\)/);

    const m = JSON.parse(await readFile(manifest, 'utf8')) as ManifestJson;
    assert.deepEqual(m.totals, { planned: 5, processed: 5, landed: 4, existing: 0, failed: 1 });
    assert.deepEqual(
      m.segments.map((s) => [s.sequence, s.status, s.tries]),
      [
        [0, 'landed', 1],
        [1, 'landed', 1],
        [2, 'landed', 2],
        [3, 'landed', 1],
        [4, 'failed', 4],
      ],
    );
    assert.match(m.segments[4].error ?? '', /simulated failure \(always\)/);
    assert.equal(m.segments[4].file, null);
    const files = await listAll(base);
    assert.equal(files.length, 4, files.join(', '));
    assert.ok(
      files.every((f) => !path.basename(f).startsWith('.')),
      'no temp file left behind',
    );
    const hours = await engineCoverage(base, 'ch', 'q');
    assert.equal(hours[0].result.rawCoverage, 8_000_000);
  });

  it('verify finds a segment whose bytes were changed, and only that one', async () => {
    const base = path.join(dir, 'verify-store');
    const r = await segcov(['chunk', rec, ...args(base)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const clean = await segcov(['verify', '--channel', 'ch', '--quality', 'q', '--base-dir', base, '--decode', '--log-level', 'warn']);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /checked 5 segments .*: 0 bad/);

    const files = (await listAll(base)).filter((f) => f.endsWith('.ts'));
    const victim = files[2];
    const fh = await open(path.join(base, victim), 'r+');
    await fh.write(Buffer.from('corrupted!'), 0, 10, 5000);
    await fh.close();
    const v = await segcov(['verify', '--channel', 'ch', '--quality', 'q', '--base-dir', base, '--log-level', 'warn']);
    assert.equal(v.code, 1, v.stdout + v.stderr);
    const bad = v.stdout.split('\n').filter((l) => l.includes(': hash mismatch'));
    assert.deepEqual(
      bad.map((l) => l.split(': ')[0]),
      [victim],
    );
    assert.match(v.stdout, /checked 5 segments .*: 1 bad/);

    const since = await segcov([
      'verify',
      '--channel',
      'ch',
      '--quality',
      'q',
      '--base-dir',
      base,
      '--since',
      '2026-11-01T10:00:06Z',
      '--log-level',
      'warn',
    ]);
    assert.equal(since.code, 0, since.stdout);
    assert.match(since.stdout, /checked 2 segments/);
  });

  it('a missing ffmpeg is one clear error, named in the manifest, nothing written', async () => {
    const base = path.join(dir, 'noffmpeg-store');
    const manifest = path.join(dir, 'noffmpeg.json');
    const r = await segcov(['chunk', rec, ...args(base), '--ffmpeg', path.join(dir, 'no-such-ffmpeg'), '--manifest', manifest]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error: cannot run .*no-such-ffmpeg \(ENOENT\): is ffmpeg installed\?/);
    const m = JSON.parse(await readFile(manifest, 'utf8')) as ManifestJson;
    assert.match(m.error ?? '', /no-such-ffmpeg/);
    assert.equal(m.segments.length, 0);
  });

  it('a corrupt SOURCE and an unwritable store are clear errors', async () => {
    const junk = path.join(dir, 'junk.mp4');
    await writeFile(junk, Buffer.alloc(4096, 7));
    const r = await segcov(['chunk', junk, ...args(path.join(dir, 'junk-store'))]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error: cannot read .*junk\.mp4/);

    const notADir = path.join(dir, 'a-file');
    await writeFile(notADir, '');
    const manifest = path.join(dir, 'unwritable.json');
    const w = await segcov(['chunk', rec, ...args(notADir), '--manifest', manifest]);
    assert.equal(w.code, 1);
    assert.match(w.stdout, /error: cannot write to the store at .*a-file\/ch\/q: (ENOTDIR|EEXIST)/);
    assert.match((JSON.parse(await readFile(manifest, 'utf8')) as ManifestJson).error ?? '', /cannot write to the store/);

    // A store under /proc: Node 20's recursive mkdir spins there forever; ours fails at once.
    const proc = await segcov(['chunk', rec, ...args('/proc/segcov-no-such-store')]);
    assert.equal(proc.code, 1);
    assert.match(proc.stdout, /error: cannot write to the store at \/proc\/segcov-no-such-store\/ch\/q: ENOENT/);
  });

  it('a bad flag is a one-line usage error, exit 2', async () => {
    const r = await segcov(['chunk', rec, ...args(path.join(dir, 's')), '--processor', 'checksum,cut']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), 'segcov: --processor: the first stage must be "cut"');
  });
});
