import { Gauge, Registry } from 'prom-client';
import { SECOND_US } from '../coverage/types.js';

/** The fleet figures of one channel and quality, in µs (what the fleet view computes). */
export interface FleetFigures {
  readonly channel: string;
  readonly quality: string;
  readonly scanned: boolean;
  readonly fleetHoleUs: number;
  readonly localOnlyHoleUs: number;
}

export interface PeerUp {
  readonly node: string;
  readonly up: boolean;
}

/**
 * The fleet gauges, computed at scrape time from the daemon's last answers of its peers:
 * - `segcov_fleet_hole_seconds`: seconds of this node's window (up to its newest segment)
 *   that no node covers: lost by the whole fleet;
 * - `segcov_local_only_hole_seconds`: seconds of this node's holes that some peer covers:
 *   a backfill from that peer fixes them;
 * - `segcov_peer_up`: 1 while a peer answers its spans API.
 * A peer that is down covers nothing, so its outage moves seconds from "local only" to
 * "fleet"; alerts on the fleet figure wait `for:` long enough to ride out a blip.
 */
export class FleetGauges {
  readonly registry = new Registry();

  constructor(figures: () => { qualities: readonly FleetFigures[]; peers: readonly PeerUp[] }) {
    let cache: { at: number; value: ReturnType<typeof figures> } | null = null;
    // One computation per scrape: the first gauge collected computes, the others reuse it.
    const get = (): ReturnType<typeof figures> => {
      const t = Date.now();
      if (cache === null || t - cache.at > 500) cache = { at: t, value: figures() };
      return cache.value;
    };
    new Gauge({
      name: 'segcov_fleet_hole_seconds',
      help: "Seconds of this node's window (up to its newest segment) that no node of the fleet covers (docs/coverage.md)",
      labelNames: ['channel', 'quality'], registers: [this.registry],
      collect() {
        this.reset();
        for (const q of get().qualities) if (q.scanned) this.set({ channel: q.channel, quality: q.quality }, q.fleetHoleUs / SECOND_US);
      },
    });
    new Gauge({
      name: 'segcov_local_only_hole_seconds',
      help: "Seconds of this node's holes that a peer covers: a backfill from the peer fixes them (docs/coverage.md)",
      labelNames: ['channel', 'quality'], registers: [this.registry],
      collect() {
        this.reset();
        for (const q of get().qualities) if (q.scanned) this.set({ channel: q.channel, quality: q.quality }, q.localOnlyHoleUs / SECOND_US);
      },
    });
    new Gauge({
      name: 'segcov_peer_up', help: "1 while a peer answers segcov's spans API, else 0", labelNames: ['peer'], registers: [this.registry],
      collect() {
        this.reset();
        for (const p of get().peers) this.set({ peer: p.node }, p.up ? 1 : 0);
      },
    });
  }
}
