import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { coldPass } from '../../src/scan/coldPass.js';
import { qualityCoverage } from '../../src/coverage/qualityCoverage.js';
import type { StitchedHour } from '../../src/coverage/stitch.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
/** The CLI entry of the same build as this test (works for dist/ and any --outDir). */
const MAIN = path.resolve(here, '../../src/cli/main.js');

/**
 * Makes a small test recording from ffmpeg's lavfi sources: a moving test picture and
 * a sine tone, x264 ultrafast at 320x240 so it costs well under a second per minute.
 */
export async function makeRecording(file: string, seconds: number, opts: { gopFrames?: number; format?: string } = {}): Promise<void> {
  await run('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=30',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(opts.gopFrames ?? 60),
    '-c:a',
    'aac',
    ...(opts.format ? ['-f', opts.format] : []),
    file,
  ]);
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `segcov ARGS…` from this build in a child process. */
export function segcov(args: readonly string[], timeoutMs = 300_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', 'import(process.argv[1]).then((m) => m.main(process.argv.slice(2)))', MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`segcov ${args.join(' ')} timed out`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The coverage engine's view of C/Q: the same coldPass + qualityCoverage the daemon runs. */
export async function engineCoverage(base: string, channel: string, quality: string): Promise<StitchedHour[]> {
  const pass = await coldPass({ base, channel, quality, window: {}, concurrency: 2, report: () => {} });
  if (pass === null) throw new Error('cold pass stopped');
  return [...qualityCoverage(pass.hours, { pixelSeconds: 2, rows: 300 }).hours];
}

/**
 * Decodes a file's video with ffprobe (`-count_frames` decodes every frame) and returns
 * the frames decoded; throws with ffprobe's complaint if it logs any error.
 */
export async function ffprobeDecodedFrames(file: string): Promise<number> {
  const r = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    file,
  ]);
  if (r.stderr.trim() !== '') throw new Error(`ffprobe complains about ${file}: ${r.stderr.trim()}`);
  const m = /\d+/.exec(r.stdout);
  if (m === null) throw new Error(`ffprobe counted no frames in ${file}: ${r.stdout}`);
  return Number(m[0]);
}
