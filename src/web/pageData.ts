import type { MapLayout } from './mapLayout.js';
import type { PairState } from '../coverage/severity.js';
import type { Rect } from './notYet.js';

/**
 * The page's data (`/api/v1/fleet`, the live event stream and the static page's embedded
 * copy): this node's spans and its peers', lined up per channel and quality on one time
 * axis, with the fleet union and, per hole of this node, the peers that hold it, and the
 * local maps. Times are integer µs since the epoch.
 *
 * Types only, shared by the server and the page's browser script (src/web/page/): nothing
 * here may import a module that imports Node.
 */

/** [start, end) in µs: nodeSpans.ts's Pair (fleetView.ts assigns one to the other, so tsc holds them equal). */
export type Pair = readonly [number, number];

export interface FleetNodeRow {
  readonly node: string;
  readonly self: boolean;
  /** `absent`: the peer answers but does not record this channel and quality. */
  readonly state: 'up' | 'down' | 'waiting' | 'absent';
  readonly error: string | null;
  readonly window: Pair | null;
  readonly covered: readonly Pair[];
  readonly partial: readonly Pair[];
}

export interface FleetHole {
  readonly start: number;
  readonly end: number;
  readonly peers: readonly { readonly node: string; readonly cover: 'full' | 'partial'; readonly covered_us: number }[];
}

export interface FleetQuality {
  readonly channel: string;
  readonly quality: string;
  readonly scanned: boolean;
  /** This node's window and newest segment end. */
  readonly window: Pair | null;
  readonly newest_end: number | null;
  readonly hole_count: number;
  readonly hole_us: number;
  readonly longest_hole_us: number;
  readonly missing_hours: number;
  readonly nothing_recorded: boolean;
  /** Share of this node's window outside holes, or null without a window. */
  readonly coverage_pct: number | null;
  /** This node's state of the pair (ok, warn, bad; null before its first pass) and why. */
  readonly state: PairState | null;
  readonly reason: string | null;
  /** What this node holds, window or not, and whether its window holds none of it. */
  readonly recorded: Pair | null;
  readonly window_misses_recording: boolean;
  /** The shared time axis, whole hours: [start, end). */
  readonly axis: Pair | null;
  readonly nodes: readonly FleetNodeRow[];
  readonly fleet: { readonly covered: readonly Pair[]; readonly hole_us: number; readonly local_only_hole_us: number };
  /** Every hole of this node, in time order, with the peers that cover it. */
  readonly holes: readonly FleetHole[];
}

export interface PeerSummary {
  readonly node: string;
  readonly url: string;
  /** A peer's state as peerFetcher.ts keeps it (fleetView.ts copies it, so tsc holds them equal). */
  readonly state: 'up' | 'down' | 'waiting';
  readonly error: string | null;
  /** µs, or null. */
  readonly last_ok_at: number | null;
}

export interface FleetView {
  readonly v: 1;
  readonly node: string;
  readonly generated_at: number;
  readonly ready: boolean;
  readonly peers: readonly PeerSummary[];
  readonly qualities: readonly FleetQuality[];
}

/** The local coverage map of one quality as the page draws it: URL and label layout. */
export interface PageMap extends MapLayout {
  readonly src: string;
  readonly alt: string;
  /** Where the map is greyed as "not yet" (after the data's now), CSS px over the drawn map. */
  readonly notyet: readonly Rect[];
}

/** Everything the page's script draws: the fleet view plus the local maps and page facts. */
export interface PageData extends FleetView {
  /** True for the `--make-page` copy: it does not update, and says how old it is. */
  readonly static: boolean;
  readonly stale_after_us: number;
  readonly pixel_seconds: number;
  /** Where docs/coverage.md is served (relative), or null. */
  readonly docs_url: string | null;
  /** One per entry of `qualities`, same order. */
  readonly maps: readonly (PageMap | null)[];
}
