import type { FrameGrid } from './frameGrid.js';

/** One numbered chunk: the frames [firstBoundary, endBoundary) of the source. */
export interface Chunk {
  /** Sequence number across the whole run, from 0. */
  readonly seq: number;
  readonly firstBoundary: number;
  readonly endBoundary: number;
  /** Source offset (µs) of the chunk's first frame and of its end. */
  readonly startUs: number;
  readonly endUs: number;
  /** Where ffmpeg cuts (source offsets, between frames); null = from the start / to the end. */
  readonly cutFromUs: number | null;
  readonly cutToUs: number | null;
  /** Frames the written segment must hold. */
  readonly frames: number;
}

/** A stretch of the source given as boundaries, end exclusive. */
export interface BoundaryRange {
  readonly first: number;
  readonly end: number;
}

/**
 * Splits boundary ranges into chunks of about `chunkUs`. Each chunk ends at the frame
 * boundary nearest to `start + chunkUs`; a tail shorter than half a chunk is merged into
 * the chunk before it rather than landing as a sliver. Ranges are sorted and touching or
 * overlapping ones merged first, so no frame is cut twice. A generator: the producer
 * yields chunks lazily into the pipeline's bounded queue.
 */
export function* planChunks(grid: FrameGrid, ranges: readonly BoundaryRange[], chunkUs: number): Generator<Chunk> {
  let seq = 0;
  for (const r of mergeRanges(ranges)) {
    let cur = r.first;
    while (cur < r.end) {
      // A gap in the source ends the stretch like the range's end does.
      const stop = Math.min(r.end, grid.nextGapAfter(cur));
      const stopTime = stop === r.end ? grid.timeOf(stop) : grid.frames[stop - 1] + grid.frameUs;
      let next = grid.nearest(grid.timeOf(cur) + chunkUs);
      if (next <= cur) next = cur + 1;
      if (next >= stop || stopTime - grid.timeOf(next) < chunkUs / 2) next = stop;
      yield {
        seq: seq++,
        firstBoundary: cur,
        endBoundary: next,
        startUs: grid.timeOf(cur),
        endUs: grid.timeOf(next),
        cutFromUs: grid.cutPoint(cur),
        cutToUs: grid.cutPoint(next),
        frames: next - cur,
      };
      cur = next;
    }
  }
}

/** How many chunks planChunks will yield (for the progress bar's total). */
export function countChunks(grid: FrameGrid, ranges: readonly BoundaryRange[], chunkUs: number): number {
  let n = 0;
  const it = planChunks(grid, ranges, chunkUs);
  while (it.next().done !== true) n++;
  return n;
}

export function mergeRanges(ranges: readonly BoundaryRange[]): BoundaryRange[] {
  const sorted = ranges
    .filter((r) => r.end > r.first)
    .slice()
    .sort((a, b) => a.first - b.first);
  const out: BoundaryRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.first <= last.end) out[out.length - 1] = { first: last.first, end: Math.max(last.end, r.end) };
    else out.push(r);
  }
  return out;
}
