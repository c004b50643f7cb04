import { fleetHoleFigures, peerCover, type NodeCoverage } from '../coverage/fleetUnion.js';
import { spansLength, unionSpans } from '../coverage/spans.js';
import { HOUR_US, type Interval } from '../coverage/types.js';
import { interval, pair, type NodeSpans, type Pair, type QualitySpans } from './nodeSpans.js';
import type { PeerState } from './peerFetcher.js';
import type { FleetHole, FleetNodeRow, FleetQuality, FleetView } from './pageData.js';

// the data's types live in pageData.ts, which the page's browser script shares (no Node there)
export type { FleetHole, FleetNodeRow, FleetQuality, FleetView, PeerSummary } from './pageData.js';

const floorHour = (us: number): number => Math.floor(us / HOUR_US) * HOUR_US;
const ceilHour = (us: number): number => Math.ceil(us / HOUR_US) * HOUR_US;

function peerRow(p: PeerState, channel: string, quality: string): { row: FleetNodeRow; q: QualitySpans | null } {
  const q = p.data?.qualities.find((x) => x.channel === channel && x.quality === quality) ?? null;
  const state = p.state !== 'up' ? p.state : q === null ? 'absent' : 'up';
  return {
    q,
    row: {
      node: p.name,
      self: false,
      state,
      error: p.error,
      window: q?.window ?? null,
      covered: q?.covered ?? [],
      partial: q?.partial ?? [],
    },
  };
}

/** The axis all strips share: whole hours from the earliest window start to the later of the latest window end and now. */
export function sharedAxis(windows: readonly (Pair | null)[], nowUs: number): Pair | null {
  const ws = windows.filter((w): w is Pair => w !== null);
  if (ws.length === 0) return null;
  const start = floorHour(Math.min(...ws.map((w) => w[0])));
  const end = Math.max(ceilHour(Math.max(...ws.map((w) => w[1]))), ceilHour(nowUs + 1));
  return [start, Math.max(end, start + HOUR_US)];
}

/** What each peer that answers for this channel and quality covers. */
function peerCoverage(rows: readonly { row: FleetNodeRow; q: QualitySpans | null }[]): NodeCoverage[] {
  return rows.filter((r) => r.q !== null).map((r) => ({ node: r.row.node, covered: (r.q as QualitySpans).covered.map(interval) }));
}

/**
 * This node's side of one channel and quality, as its raw window report has it (windowHoles):
 * the window, the merged covered spans, and the holes, which are the window less `covered`.
 */
export interface SelfWindow {
  readonly window: Interval | null;
  readonly holes: readonly Interval[];
  readonly covered: readonly Interval[];
}

/** The figures of `fleet` in FleetQuality (hole_us, local_only_hole_us); 0 and 0 without a window. */
function holeFigures(self: SelfWindow, peerCov: readonly NodeCoverage[]): { fleetHoleUs: number; localOnlyHoleUs: number } {
  const w = self.window;
  if (w === null || w.end - w.start === 0) return { fleetHoleUs: 0, localOnlyHoleUs: 0 };
  // no peer covers anything: the fleet covers what this node covers, so its holes are this
  // node's (the window less `covered`) and no hole is a peer's (the union and the
  // intersection would only walk every span again to say so)
  if (peerCov.length === 0) return { fleetHoleUs: spansLength(self.holes), localOnlyHoleUs: 0 };
  const f = fleetHoleFigures(w, self.holes, self.covered, peerCov);
  return { fleetHoleUs: f.fleetHoleUs, localOnlyHoleUs: f.localOnlyHoleUs };
}

/**
 * Pure: only the fleet figures of one channel and quality (fleetQuality's `fleet.hole_us`
 * and `fleet.local_only_hole_us`, by the same computation), from this node's raw window
 * report: what the fleet gauges need, without the rest of the view (spans, rows, holes).
 */
export function fleetHoleFiguresOf(
  channel: string,
  quality: string,
  self: SelfWindow,
  peers: readonly PeerState[],
): { fleetHoleUs: number; localOnlyHoleUs: number } {
  return holeFigures(self, peerCoverage(peers.map((p) => peerRow(p, channel, quality))));
}

/** Pure: one channel and quality of the fleet view. */
export function fleetQuality(self: QualitySpans, nodeName: string, peers: readonly PeerState[], nowUs: number): FleetQuality {
  const rows = peers.map((p) => peerRow(p, self.channel, self.quality));
  const peerCov = peerCoverage(rows);
  const selfCovered = self.covered.map(interval);
  const holes = self.holes.map(interval);
  const holeUs = spansLength(holes);
  const window = self.window === null ? null : interval(self.window);
  const measured = window === null ? 0 : window.end - window.start;
  const figures = holeFigures({ window, holes, covered: selfCovered }, peerCov);
  const fleetCovered = unionSpans([selfCovered, ...peerCov.map((p) => p.covered)]);
  const selfRow: FleetNodeRow = {
    node: nodeName,
    self: true,
    state: self.scanned ? 'up' : 'waiting',
    error: null,
    window: self.window,
    covered: self.covered,
    partial: self.partial,
  };
  return {
    channel: self.channel,
    quality: self.quality,
    scanned: self.scanned,
    window: self.window,
    newest_end: self.newest_end,
    hole_count: holes.length,
    hole_us: holeUs,
    longest_hole_us: holes.reduce((m, x) => Math.max(m, x.end - x.start), 0),
    missing_hours: self.missing_hours,
    nothing_recorded: self.nothing_recorded,
    coverage_pct: measured > 0 ? Math.max(0, ((measured - holeUs) / measured) * 100) : null,
    state: self.state,
    reason: self.reason,
    recorded: self.recorded,
    window_misses_recording: self.window_misses_recording,
    axis: sharedAxis([self.window, ...rows.map((r) => r.row.window)], nowUs),
    nodes: [selfRow, ...rows.map((r) => r.row)],
    fleet: { covered: fleetCovered.map(pair), hole_us: figures.fleetHoleUs, local_only_hole_us: figures.localOnlyHoleUs },
    holes: peerCover(holes, peerCov).map((h) => ({
      start: h.start,
      end: h.end,
      peers: h.peers.map((p) => ({ node: p.node, cover: p.cover, covered_us: p.coveredUs })),
    })),
  };
}

/** Pure: the whole fleet view of this node's spans and its peers' last answers. */
export function fleetView(self: NodeSpans, peers: readonly PeerState[], nowUs: number): FleetView {
  return {
    v: 1,
    node: self.node,
    generated_at: nowUs,
    ready: self.ready,
    peers: peers.map((p) => ({
      node: p.name,
      url: p.url,
      state: p.state,
      error: p.error,
      last_ok_at: p.lastOkAt === null ? null : p.lastOkAt * 1000,
    })),
    qualities: self.qualities.map((q) => fleetQuality(q, self.node, peers, nowUs)),
  };
}

/** The holes of one channel and quality that intersect [since, until), whole. */
export function holesBetween(holes: readonly FleetHole[], since?: number, until?: number): FleetHole[] {
  return holes.filter((x) => (since === undefined || x.end > since) && (until === undefined || x.start < until));
}
