import { runTool } from './exec.js';
import { lastLine } from './exec.js';
import { parseTimeBase, secondsTextToMicros, ticksToMicros } from './timebase.js';

/**
 * What the chunker needs to know about a source recording. Every time is in µs and is
 * an *offset into the source*: 0 is the file's start time (what `ffmpeg -ss` counts from).
 */
export interface SourceInfo {
  readonly file: string;
  /** The container's start time in its own timestamps (added back for ffmpeg's trim filters). */
  readonly formatStartUs: number;
  /** Duration the container claims (may exceed the frames really present in a truncated file). */
  readonly durationUs: number;
  /** Presentation time of every video frame, sorted, distinct. */
  readonly frames: readonly number[];
  /** Offsets of the keyframes, sorted. */
  readonly keyframes: readonly number[];
  /** Typical frame duration (median spacing): the length given to the last frame. */
  readonly frameUs: number;
  /** Longest distance between keyframes (seeking must start at least this far back). */
  readonly maxGopUs: number;
  readonly hasAudio: boolean;
}

/** SOURCE could not be read as a recording. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

interface ProbeJson {
  format?: { start_time?: string; duration?: string };
  streams?: { index?: number; codec_type?: string; time_base?: string }[];
}

/**
 * Probes SOURCE with ffprobe: its container timing and the timestamp of every video
 * frame. Reading all packet headers costs a demux pass (no decoding; well under a
 * second for ten minutes of 720p) and buys exact cuts: chunk boundaries are placed
 * between real frames instead of at assumed frame-rate multiples.
 */
export async function probeSource(ffprobe: string, file: string): Promise<SourceInfo> {
  const head = await runTool(ffprobe, [
    '-v',
    'error',
    '-show_entries',
    'format=start_time,duration:stream=index,codec_type,time_base',
    '-of',
    'json',
    file,
  ]);
  if (head.code !== 0) throw new SourceError(`cannot read ${file}: ${lastLine(head.stderr) || `ffprobe exit ${head.code}`}`);
  let json: ProbeJson;
  try {
    json = JSON.parse(head.stdout) as ProbeJson;
  } catch {
    throw new SourceError(`cannot read ${file}: ffprobe gave no usable answer`);
  }
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  if (video === undefined) throw new SourceError(`${file} has no video stream (segments are timed by their video)`);
  const tb = parseTimeBase(video.time_base);
  if (tb === null) throw new SourceError(`${file}: video stream has no usable time base`);
  const formatStartUs = secondsTextToMicros(json.format?.start_time) ?? 0;

  const pk = await runTool(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,flags', '-of', 'csv=p=0', file]);
  if (pk.code !== 0) throw new SourceError(`cannot read the frames of ${file}: ${lastLine(pk.stderr) || `ffprobe exit ${pk.code}`}`);
  const { frames, keyframes } = parsePacketList(pk.stdout, (t) => ticksToMicros(t, tb) - formatStartUs);
  if (frames.length === 0) throw new SourceError(`${file} holds no video frames (corrupt or truncated?)`);
  const frameUs = medianSpacing(frames) ?? 33_333;
  const lastEnd = frames[frames.length - 1] + frameUs;
  const durationUs = secondsTextToMicros(json.format?.duration) ?? lastEnd;
  return {
    file,
    formatStartUs,
    durationUs,
    frames,
    keyframes,
    frameUs,
    maxGopUs: maxGop(keyframes, lastEnd),
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
}

/** Parses `pts,flags` CSV lines (ffprobe adds side-data fields and blank lines; both are skipped). */
export function parsePacketList(csv: string, toUs: (ticks: number) => number): { frames: number[]; keyframes: number[] } {
  const frames: number[] = [];
  const keyframes: number[] = [];
  for (const line of csv.split('\n')) {
    const [ptsText, flags] = line.split(',');
    if (ptsText === undefined || !/^-?\d+$/.test(ptsText)) continue;
    const us = toUs(Number(ptsText));
    frames.push(us);
    if (flags?.startsWith('K')) keyframes.push(us);
  }
  frames.sort((a, b) => a - b);
  keyframes.sort((a, b) => a - b);
  return { frames: dedupe(frames), keyframes: dedupe(keyframes) };
}

/** The median distance between consecutive sorted times, or null for fewer than two. */
export function medianSpacing(sorted: readonly number[]): number | null {
  if (sorted.length < 2) return null;
  const d: number[] = [];
  for (let i = 1; i < sorted.length; i++) d.push(sorted[i] - sorted[i - 1]);
  d.sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)];
}

function maxGop(keyframes: readonly number[], end: number): number {
  let gop = 0;
  for (let i = 0; i < keyframes.length; i++) gop = Math.max(gop, (keyframes[i + 1] ?? end) - keyframes[i]);
  return gop;
}

function dedupe(sorted: number[]): number[] {
  return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
}
