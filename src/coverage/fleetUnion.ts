import { EPS_US, type Interval } from './types.js';

/**
 * The fleet view's arithmetic on sets of time, pure and in integer µs. A set is a list
 * of half-open intervals; the functions here accept any order and overlap and return
 * sorted, disjoint, merged lists.
 */

/** Sorted, merged copy: intervals that overlap or touch become one; empty ones are dropped. */
export function mergeSpans(spans: readonly Interval[]): Interval[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s.start <= last.end) {
      if (s.end > last.end) out[out.length - 1] = { start: last.start, end: s.end };
    } else {
      out.push({ start: s.start, end: s.end });
    }
  }
  return out;
}

/** The union of several sets: covered where any of them covers. */
export function unionSpans(sets: readonly (readonly Interval[])[]): Interval[] {
  return mergeSpans(sets.flat());
}

/** The part of `spans` inside `within` (both any order). */
export function intersectSpans(spans: readonly Interval[], within: readonly Interval[]): Interval[] {
  const a = mergeSpans(spans);
  const b = mergeSpans(within);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i].start, b[j].start);
    const end = Math.min(a[i].end, b[j].end);
    if (end > start) out.push({ start, end });
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return out;
}

/**
 * What `covered` leaves uncovered of `window`: the holes. Gaps of at most EPS (10 ms,
 * SPEC §2) are not holes, as everywhere else in segcov.
 */
export function uncoveredSpans(window: Interval, covered: readonly Interval[]): Interval[] {
  const holes: Interval[] = [];
  let cur = window.start;
  for (const c of mergeSpans(covered)) {
    if (c.end <= cur) continue;
    if (c.start >= window.end) break;
    if (c.start > cur + EPS_US) holes.push({ start: cur, end: Math.min(c.start, window.end) });
    cur = Math.max(cur, c.end);
    if (cur >= window.end) break;
  }
  if (window.end > cur + EPS_US) holes.push({ start: cur, end: window.end });
  return holes;
}

/** Total length (µs) of a set (overlaps counted once). */
export function spansLength(spans: readonly Interval[]): number {
  let sum = 0;
  for (const s of mergeSpans(spans)) sum += s.end - s.start;
  return sum;
}

/** How much of a hole one peer holds. */
export interface PeerCover {
  readonly node: string;
  /** `full`: the peer covers the whole hole (up to EPS gaps); `partial`: some of it. */
  readonly cover: 'full' | 'partial';
  /** The parts of the hole the peer covers. */
  readonly spans: readonly Interval[];
  readonly coveredUs: number;
}

/** A hole of this node with the peers that hold (some of) it. */
export interface HoleWithPeers extends Interval {
  readonly peers: readonly PeerCover[];
}

/** One node's recording as the fleet view needs it. */
export interface NodeCoverage {
  readonly node: string;
  /** Covered spans, any order. */
  readonly covered: readonly Interval[];
}

/**
 * Pure: for each hole of this node, which peers cover it fully or partly (peers that
 * cover none of it are left out). Peers keep the order given.
 */
export function peerCover(holes: readonly Interval[], peers: readonly NodeCoverage[]): HoleWithPeers[] {
  const merged = peers.map((p) => ({ node: p.node, covered: mergeSpans(p.covered) }));
  return holes.map((hole) => {
    const out: PeerCover[] = [];
    for (const p of merged) {
      const spans = intersectSpans(p.covered, [hole]);
      if (spans.length === 0) continue;
      const full = uncoveredSpans(hole, spans).length === 0;
      out.push({ node: p.node, cover: full ? 'full' : 'partial', spans, coveredUs: spansLength(spans) });
    }
    return { start: hole.start, end: hole.end, peers: out };
  });
}

/** The two fleet figures of one channel and quality over this node's window. */
export interface FleetHoleFigures {
  /** µs of the window no node covers (the whole fleet lost it). */
  readonly fleetHoleUs: number;
  /** µs of this node's holes that some peer covers (a backfill can fix them). */
  readonly localOnlyHoleUs: number;
  /** The fleet's holes in the window. */
  readonly fleetHoles: readonly Interval[];
}

/**
 * Pure: over this node's `window`, the stretches no node covers and the part of this
 * node's `holes` that peers cover. `peers` are the peers that answered; a peer that is
 * down covers nothing.
 */
export function fleetHoleFigures(window: Interval, holes: readonly Interval[], self: readonly Interval[], peers: readonly NodeCoverage[]): FleetHoleFigures {
  const fleetCovered = unionSpans([self, ...peers.map((p) => p.covered)]);
  const fleetHoles = uncoveredSpans(window, fleetCovered);
  const peerCovered = unionSpans(peers.map((p) => p.covered));
  const localOnlyHoleUs = spansLength(intersectSpans(holes, peerCovered));
  return { fleetHoleUs: spansLength(fleetHoles), localOnlyHoleUs, fleetHoles };
}
