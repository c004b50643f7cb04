import { lastLine, runTool } from './exec.js';
import { medianSpacing } from './probeSource.js';
import { OUTPUT_TS_OFFSET_US } from './cutChunk.js';
import { parseTimeBase, ticksToMicros } from './timebase.js';

/** Where a written segment really lies in its source, from its own packets. */
export interface SegmentTiming {
  /** Source offset (µs) of the first frame presented. */
  readonly startUs: number;
  /** From the first frame's start to the last frame's end. */
  readonly durationUs: number;
  readonly frames: number;
}

interface PacketJson {
  packets?: { pts?: number }[];
  streams?: { time_base?: string }[];
}

/**
 * Measures a written segment with ffprobe: the presentation times of its video packets.
 * The start is the earliest, the end the latest plus one frame (the segment's own
 * median frame spacing; `fallbackFrameUs` when it holds a single frame). Measuring
 * rather than trusting the plan is what guarantees that names match content.
 */
export async function measureSegment(
  ffprobe: string,
  file: string,
  formatStartUs: number,
  fallbackFrameUs: number,
): Promise<SegmentTiming> {
  const r = await runTool(ffprobe, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=time_base:packet=pts',
    '-of',
    'json',
    file,
  ]);
  if (r.code !== 0) throw new Error(`cannot measure the written segment: ${lastLine(r.stderr) || `ffprobe exit ${r.code}`}`);
  const json = JSON.parse(r.stdout) as PacketJson;
  const tb = parseTimeBase(json.streams?.[0]?.time_base);
  if (tb === null) throw new Error('the written segment has no video stream');
  const times = (json.packets ?? [])
    .map((p) => p.pts)
    .filter((p): p is number => typeof p === 'number')
    .map((p) => ticksToMicros(p, tb) - OUTPUT_TS_OFFSET_US - formatStartUs)
    .sort((a, b) => a - b);
  if (times.length === 0) throw new Error('the written segment holds no video frames');
  const spacing = medianSpacing(times) ?? fallbackFrameUs;
  const start = times[0];
  return { startUs: start, durationUs: times[times.length - 1] + spacing - start, frames: times.length };
}
