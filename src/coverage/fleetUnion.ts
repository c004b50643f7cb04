import { intersectSpans, mergeSpans, spansLength, uncoveredSpans, unionSpans } from './spans.js';
import type { Interval } from './types.js';

/** The fleet view: which peers hold this node's holes, and what the whole fleet lost. */

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
export function fleetHoleFigures(
  window: Interval,
  holes: readonly Interval[],
  self: readonly Interval[],
  peers: readonly NodeCoverage[],
): FleetHoleFigures {
  const fleetCovered = unionSpans([self, ...peers.map((p) => p.covered)]);
  const fleetHoles = uncoveredSpans(window, fleetCovered);
  const peerCovered = unionSpans(peers.map((p) => p.covered));
  const localOnlyHoleUs = spansLength(intersectSpans(holes, peerCovered));
  return { fleetHoleUs: spansLength(fleetHoles), localOnlyHoleUs, fleetHoles };
}
