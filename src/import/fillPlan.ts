import { EPS_US, type Interval } from '../coverage/types.js';
import type { BoundaryRange } from './chunkPlan.js';
import type { FrameGrid } from './frameGrid.js';

/**
 * Turns store holes (wall-clock µs) into frame ranges of the source recording, snapped
 * *outwards* so that no gap remains: the fill starts at the last frame at or before the
 * hole's start and ends at the first frame boundary at or after its end — except that a
 * frame within the 10 ms tolerance (EPS) of the edge is taken as the edge itself, so a fill
 * from the same recording as its neighbours joins them exactly instead of overlapping
 * by a frame (which would make the editable chain skip it). Re-encoding (see cutArgs)
 * means these frame-exact edges need no keyframe there.
 */
export function fillRanges(grid: FrameGrid, holes: readonly Interval[], startAtUs: number, limit: BoundaryRange): BoundaryRange[] {
  const out: BoundaryRange[] = [];
  for (const h of holes) {
    const first = Math.max(limit.first, grid.atOrBefore(h.start - startAtUs + EPS_US));
    const end = Math.min(limit.end, grid.atOrAfter(h.end - startAtUs - EPS_US));
    if (end > first) out.push({ first, end });
  }
  return out;
}
