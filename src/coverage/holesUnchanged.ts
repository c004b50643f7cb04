import type { HourResult } from './hourAnalysis.js';
import type { Interval } from './types.js';
import type { WindowBounds } from './windowHoles.js';

function sameIntervals(a: readonly Interval[], b: readonly Interval[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].start !== b[i].start || a[i].end !== b[i].end) return false;
  return true;
}

/**
 * Pure: true when the raw window holes behind the live edge (holeLife's lifeView of
 * windowHoles) are surely the same for `next` as for `prev`, so the hole history need not
 * compute the window report again; false when they may differ.
 *
 * windowHoles reads an hour only through its chain's first start and raw reach, its own raw
 * holes and whether it has a chain at all; so hours whose results are the same object, or
 * agree on those, change nothing, and neither does the newest recorded hour's reach growing
 * (covered time added at the live edge, after every hole). Anything else — an hour added or
 * removed, other bounds — says "may differ". test/coverage/holeLife.test.ts checks this
 * against computing the window report every time.
 */
export function holesUnchanged(
  prev: readonly { readonly result: HourResult }[],
  next: readonly { readonly result: HourResult }[],
  prevBounds: WindowBounds,
  nextBounds: WindowBounds,
): boolean {
  if (prev.length !== next.length || prevBounds.start !== nextBounds.start || prevBounds.end !== nextBounds.end) return false;
  let lastChained = -1;
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i].result.chain !== null) {
      lastChained = i;
      break;
    }
  }
  for (let i = 0; i < next.length; i++) {
    const a = prev[i].result;
    const b = next[i].result;
    if (a === b) continue;
    if (a.start !== b.start) return false;
    if (a.chain === null || b.chain === null) {
      if (a.chain !== b.chain || a.newestEnd !== b.newestEnd) return false;
      continue;
    }
    if (a.chain.first !== b.chain.first || !sameIntervals(a.rawHoles, b.rawHoles)) return false;
    if (a.chain.reach === b.chain.reach && a.newestEnd === b.newestEnd) continue;
    if (!(i === lastChained && grewAtLiveEdge(a, b, prev, i))) return false;
  }
  return true;
}

/**
 * Hour `i`'s covered time grew past what every hour reached before, up to its new newest end:
 * time added at the live edge, after every hole. (A long segment of an earlier hour may reach
 * further than the newest hour; then the edge was not this hour's.)
 */
function grewAtLiveEdge(a: HourResult, b: HourResult, prev: readonly { readonly result: HourResult }[], i: number): boolean {
  if (a.chain === null || b.chain === null || b.chain.reach <= a.chain.reach) return false;
  if (a.newestEnd !== a.chain.reach || b.newestEnd !== b.chain.reach) return false;
  for (let j = 0; j < prev.length; j++) {
    const o = prev[j].result;
    if (j !== i && ((o.newestEnd ?? -Infinity) > a.chain.reach || (o.chain?.reach ?? -Infinity) > a.chain.reach)) return false;
  }
  return true;
}
