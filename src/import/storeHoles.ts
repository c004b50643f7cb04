import { EPS_US, HOUR_US, type Interval } from '../coverage/types.js';
import { coldPass } from '../scan/coldPass.js';
import type { ProblemSink } from '../store/problems.js';

/** Coverage of one channel/quality over a span, as the coverage engine sees it. */
export interface SpanCoverage {
  readonly span: Interval;
  /** Uncovered stretches inside the span longer than the 10 ms tolerance (EPS), in order. */
  readonly holes: Interval[];
  /** Covered µs inside the span. */
  readonly coveredUs: number;
}

/**
 * Finds the holes of a store over a span with the coverage engine itself (coldPass):
 * each hour's raw chain covers [first best start, reach) less its own raw holes; the
 * span less the union of those is what is missing. Unlike the gauges this also counts
 * the span's edges (before the first and after the last segment), because a recording
 * that covers them can fill them. One hour before the span is read too: its last
 * segment may reach into it.
 */
export async function spanCoverage(
  base: string,
  channel: string,
  quality: string,
  span: Interval,
  report: ProblemSink,
): Promise<SpanCoverage> {
  const window = {
    firstHour: Math.floor(span.start / HOUR_US) * HOUR_US - HOUR_US,
    lastHour: Math.floor((span.end - 1) / HOUR_US) * HOUR_US,
  };
  const pass = await coldPass({ base, channel, quality, window, concurrency: 2, report });
  const covered: Interval[] = [];
  for (const h of pass?.hours ?? []) {
    if (h.chain === null) continue;
    let from = h.chain.first;
    for (const hole of h.rawHoles) {
      covered.push({ start: from, end: hole.start });
      from = hole.end;
    }
    covered.push({ start: from, end: h.chain.reach });
  }
  return holesIn(span, covered);
}

/** The span less the union of `covered`; gaps within EPS (10 ms) are not holes. Pure. */
export function holesIn(span: Interval, covered: readonly Interval[]): SpanCoverage {
  const sorted = covered
    .filter((c) => c.end > c.start)
    .slice()
    .sort((a, b) => a.start - b.start);
  const holes: Interval[] = [];
  let reach = span.start;
  for (const c of sorted) {
    if (c.end <= reach) continue;
    if (c.start > reach + EPS_US && reach < span.end) holes.push({ start: reach, end: Math.min(c.start, span.end) });
    reach = Math.max(reach, c.end);
    if (reach >= span.end) break;
  }
  if (reach < span.end - EPS_US) holes.push({ start: reach, end: span.end });
  const real = holes.filter((h) => h.end - h.start > EPS_US);
  const missing = real.reduce((s, h) => s + h.end - h.start, 0);
  return { span, holes: real, coveredUs: span.end - span.start - missing };
}
