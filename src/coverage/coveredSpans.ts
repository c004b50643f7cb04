import type { HourResult } from './hourAnalysis.js';
import { EPS_US, type Interval } from './types.js';

/** Spans covered by best segments in an hour: its raw chain [first, reach) minus its own holes. */
export function hourCoveredSpans(h: HourResult): Interval[] {
  if (h.chain === null) return [];
  const out: Interval[] = [];
  let cur = h.chain.first;
  for (const hole of [...h.rawHoles].sort((a, b) => a.start - b.start)) {
    if (hole.start > cur) out.push({ start: cur, end: hole.start });
    cur = Math.max(cur, hole.end);
  }
  if (h.chain.reach > cur) out.push({ start: cur, end: h.chain.reach });
  return out;
}

/**
 * Pure: what one node holds of a channel and quality, as merged covered spans in time
 * order. Gaps of at most EPS between hours are closed (they are not holes, SPEC §2).
 */
export function coveredSpans(hours: readonly HourResult[]): Interval[] {
  const spans = hours.flatMap(hourCoveredSpans).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last !== undefined && s.start <= last.end + EPS_US) {
      if (s.end > last.end) out[out.length - 1] = { start: last.start, end: s.end };
    } else {
      out.push(s);
    }
  }
  return out;
}
