/**
 * Import benchmark: media seconds cut per wall second by `segcov chunk`'s pipeline with
 * 1, 2 and 4 workers, against one single ffmpeg segment-muxer pass over the same file
 * (same encoder settings), on a 10-minute 720p test recording (made once, cached in
 * bench/.cache). BENCH_PRESET picks the x264 preset (default ultrafast), BENCH_SECONDS
 * the recording length (default 600).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { silentLogger } from '../src/log.js';
import { runChunkPipeline } from '../src/import/chunkPipeline.js';
import { FrameGrid } from '../src/import/frameGrid.js';
import { checkStoreWritable } from '../src/import/prepare.js';
import { probeSource } from '../src/import/probeSource.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const CACHE = path.resolve(here, '../../bench/.cache');
const PRESET = process.env.BENCH_PRESET ?? 'ultrafast';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 600);

async function recording(): Promise<string> {
  await mkdir(CACHE, { recursive: true });
  const file = path.join(CACHE, `rec-720p-${SECONDS}s.mp4`);
  if (!existsSync(file)) {
    process.stderr.write(`making ${file} …\n`);
    await run(
      'ffmpeg',
      [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=1280x720:rate=30',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=48000',
        '-t',
        String(SECONDS),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        '60',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        file,
      ],
      { maxBuffer: 1 << 20 },
    );
  }
  return file;
}

async function scratch(): Promise<string> {
  return mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'segcov-bench-'));
}

async function pipelineRun(file: string, workers: number): Promise<{ wall: number; media: number; failed: number }> {
  const base = await scratch();
  try {
    const source = await probeSource('ffprobe', file);
    const grid = new FrameGrid(source.frames, source.frameUs);
    await checkStoreWritable(base, 'bench', 'source');
    const r = await runChunkPipeline({
      source,
      grid,
      ranges: [{ first: 0, end: grid.size }],
      chunkUs: 2_000_000,
      target: { base, channel: 'bench', quality: 'source' },
      startAtUs: Date.UTC(2026, 10, 1) * 1000,
      stages: ['cut', 'checksum'],
      workers,
      retries: 0,
      queueSize: 10,
      retryDelayMs: 0,
      cut: { ffmpeg: 'ffmpeg', preset: PRESET, crf: 20 },
      ffprobe: 'ffprobe',
      logger: silentLogger,
      progressBar: false,
    });
    const bad = r.records.find((x) => x.status === 'failed');
    if (bad !== undefined) process.stderr.write(`first failure: ${bad.error ?? ''}\n`);
    return { wall: r.elapsedMs / 1000, media: r.mediaUs / 1e6, failed: r.records.filter((x) => x.status === 'failed').length };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

async function segmentMuxer(file: string, copy: boolean): Promise<{ wall: number; files: number }> {
  const out = await scratch();
  try {
    const codec = copy
      ? ['-c', 'copy']
      : ['-c:v', 'libx264', '-preset', PRESET, '-crf', '20', '-force_key_frames', 'expr:gte(t,n_forced*2)', '-c:a', 'aac', '-b:a', '160k'];
    const t0 = Date.now();
    await run('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-map',
      '0:a:0',
      ...codec,
      '-f',
      'segment',
      '-segment_time',
      '2',
      '-segment_format',
      'mpegts',
      path.join(out, 'seg%05d.ts'),
    ]);
    return { wall: (Date.now() - t0) / 1000, files: (await readdir(out)).length };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const file = await recording();
const lines: string[] = [`import benchmark: ${SECONDS} s 1280x720 30 fps, x264 preset ${PRESET}, 2 s chunks`];
for (const workers of [1, 2, 4]) {
  const r = await pipelineRun(file, workers);
  lines.push(
    `segcov chunk, ${workers} worker(s): ${r.media.toFixed(0)} media s in ${r.wall.toFixed(1)} s = ${(r.media / r.wall).toFixed(2)} media s/s (${r.failed} failed)`,
  );
  process.stderr.write(`${lines[lines.length - 1]}\n`);
}
const enc = await segmentMuxer(file, false);
lines.push(
  `ffmpeg segment muxer, re-encode: ${SECONDS} media s in ${enc.wall.toFixed(1)} s = ${(SECONDS / enc.wall).toFixed(2)} media s/s (${enc.files} files)`,
);
const cp = await segmentMuxer(file, true);
lines.push(
  `ffmpeg segment muxer, -c copy (keyframe cuts, no hashing/naming): ${SECONDS} media s in ${cp.wall.toFixed(1)} s = ${(SECONDS / cp.wall).toFixed(2)} media s/s (${cp.files} files)`,
);
process.stdout.write(`${lines.join('\n')}\n`);
