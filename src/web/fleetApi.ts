import { orderHoles } from '../coverage/severity.js';
import { SECOND_US } from '../coverage/types.js';
import type { HolesQuery } from './coverageApi.js';
import { isoUtc } from './format.js';
import { holesBetween, type FleetView } from './fleetView.js';

interface HolesBody {
  readonly holes: readonly { readonly channel: string; readonly quality: string }[];
}

/**
 * Pure: `/api/v1/holes?…&peers=1`: the body of `/api/v1/holes` with, per channel and
 * quality, `holes`: this node's window holes (whole missing hours included) in the
 * query's range, each with the peers that cover it fully or partly and how much of it.
 * A peer that is down covers nothing; `peers` lists every peer's state.
 */
export function fleetHolesJson(body: unknown, view: FleetView, query: HolesQuery): unknown {
  const b = body as HolesBody;
  return {
    ...b,
    peers: view.peers.map((p) => ({
      node: p.node,
      state: p.state,
      error: p.error,
      last_ok_at: p.last_ok_at === null ? null : isoUtc(p.last_ok_at),
    })),
    holes: b.holes.map((entry) => {
      const q = view.qualities.find((x) => x.channel === entry.channel && x.quality === entry.quality);
      const holes = q === undefined ? [] : orderHoles(holesBetween(q.holes, query.since, query.until), query.order ?? 'time');
      return {
        ...entry,
        holes: holes.map((x) => ({
          start: isoUtc(x.start),
          end: isoUtc(x.end),
          duration: (x.end - x.start) / SECOND_US,
          peers: x.peers.map((p) => ({ node: p.node, cover: p.cover, covered: p.covered_us / SECOND_US })),
        })),
        fleet_hole_duration: q === undefined ? 0 : q.fleet.hole_us / SECOND_US,
        local_only_hole_duration: q === undefined ? 0 : q.fleet.local_only_hole_us / SECOND_US,
      };
    }),
  };
}
