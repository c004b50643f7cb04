import { runToolOk } from './exec.js';
import type { Chunk } from './chunkPlan.js';
import type { SourceInfo } from './probeSource.js';
import { microsToSecondsText } from './timebase.js';

/**
 * Every segment's timestamps are the source's own (`-copyts`) plus this fixed offset.
 * The offset keeps the AAC encoder's priming samples (≈21 ms before the first frame)
 * above zero, so the muxer never shifts the streams to avoid negative timestamps — a
 * shift that would silently move the first chunk. Measuring subtracts it again.
 */
export const OUTPUT_TS_OFFSET_US = 10_000_000;
/** Extra decoding slack around a chunk when seeking (MPEG-TS seeks can land after the target). */
const SEEK_SLACK_US = 1_000_000;

export interface CutSettings {
  readonly ffmpeg: string;
  /** x264 preset (ultrafast … veryslow). */
  readonly preset: string;
  readonly crf: number;
}

/**
 * The ffmpeg command that writes one chunk as MPEG-TS, re-encoded.
 *
 * Why re-encode rather than `-c copy`: a copied segment can only start on a keyframe,
 * and recordings put one every 2–10 s, so copied 2 s chunks would start up to a GOP
 * early (overlaps) or be empty. Re-encoding starts every segment with its own IDR frame
 * exactly at the chosen source frame. The `trim` filters cut between two frames (see
 * FrameGrid) on the source's own timestamps; the input `-ss` only seeks coarsely, a
 * full GOP plus slack early, because demuxers such as MPEG-TS may land on the keyframe
 * *after* a seek target. `-fps_mode passthrough` and `-enc_time_base -1` stop ffmpeg
 * from re-timing frames to a nominal rate, so the written timestamps are the source's.
 */
export function cutArgs(src: SourceInfo, chunk: Chunk, out: string, s: CutSettings): string[] {
  const args = ['-nostdin', '-hide_banner', '-v', 'error', '-y', '-copyts'];
  const seekTo = chunk.cutFromUs === null ? 0 : chunk.cutFromUs - src.maxGopUs - SEEK_SLACK_US;
  if (seekTo > 0) args.push('-ss', microsToSecondsText(seekTo));
  if (chunk.cutToUs !== null) args.push('-t', microsToSecondsText(chunk.cutToUs - Math.max(0, seekTo) + SEEK_SLACK_US));
  args.push('-i', src.file, '-map', '0:v:0');
  if (src.hasAudio) args.push('-map', '0:a:0');
  const trim = trimOptions(src, chunk);
  if (trim !== '') {
    args.push('-filter:v', `trim=${trim}`);
    if (src.hasAudio) args.push('-filter:a', `atrim=${trim}`);
  }
  args.push('-c:v', 'libx264', '-preset', s.preset, '-crf', String(s.crf), '-fps_mode', 'passthrough', '-enc_time_base', '-1');
  if (src.hasAudio) args.push('-c:a', 'aac', '-b:a', '160k');
  args.push(
    '-sn',
    '-dn',
    '-output_ts_offset',
    microsToSecondsText(OUTPUT_TS_OFFSET_US),
    '-avoid_negative_ts',
    'disabled',
    '-muxdelay',
    '0',
    '-muxpreload',
    '0',
    '-f',
    'mpegts',
    out,
  );
  return args;
}

/** `start=…:end=…` on the source's absolute timestamps (what frames carry under -copyts). */
function trimOptions(src: SourceInfo, chunk: Chunk): string {
  const parts: string[] = [];
  if (chunk.cutFromUs !== null) parts.push(`start=${microsToSecondsText(src.formatStartUs + chunk.cutFromUs)}`);
  if (chunk.cutToUs !== null) parts.push(`end=${microsToSecondsText(src.formatStartUs + chunk.cutToUs)}`);
  return parts.join(':');
}

/** Cuts one chunk to `out` (a temporary name). Throws ToolFailedError / ToolMissingError. */
export async function cutChunk(src: SourceInfo, chunk: Chunk, out: string, s: CutSettings): Promise<void> {
  await runToolOk(s.ffmpeg, cutArgs(src, chunk, out, s));
}
