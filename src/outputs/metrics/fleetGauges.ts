import { Gauge, Registry } from 'prom-client';
import { SECOND_US } from '../../coverage/types.js';

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

/** What the fleet gauges show, and whether it still follows the clock. */
export interface FleetFigureSet {
  readonly qualities: readonly FleetFigures[];
  readonly peers: readonly PeerUp[];
  /** False while some window still follows the clock (windowSettled): computed again at every scrape. */
  readonly settled: boolean;
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
 *
 * They are computed again only when their inputs changed or while a window still follows
 * the clock; otherwise the last figures are reused.
 */
export class FleetGauges {
  readonly registry = new Registry();
  private last: { value: FleetFigureSet; inputs: readonly unknown[] } | null = null;
  private pending: Promise<FleetFigureSet> | null = null;
  private changes = 0;
  /** Figure sets computed so far (tests). */
  computed = 0;

  /**
   * `figures` may take several turns of the event loop (one channel and quality per turn).
   * `inputs`: what the figures are made of (compared item by item with ===); while they
   * stay the same and the last figures were settled, those are reused.
   */
  constructor(
    private readonly figures: () => FleetFigureSet | Promise<FleetFigureSet>,
    private readonly inputs: () => readonly unknown[] = () => [{}],
  ) {
    const get = (): Promise<FleetFigureSet> => this.current();
    new Gauge({
      name: 'segcov_fleet_hole_seconds',
      help: "Seconds of this node's window (up to its newest segment) that no node of the fleet covers (docs/coverage.md)",
      labelNames: ['channel', 'quality'],
      registers: [this.registry],
      async collect() {
        const f = await get();
        this.reset();
        for (const q of f.qualities) if (q.scanned) this.set({ channel: q.channel, quality: q.quality }, q.fleetHoleUs / SECOND_US);
      },
    });
    new Gauge({
      name: 'segcov_local_only_hole_seconds',
      help: "Seconds of this node's holes that a peer covers: a backfill from the peer fixes them (docs/coverage.md)",
      labelNames: ['channel', 'quality'],
      registers: [this.registry],
      async collect() {
        const f = await get();
        this.reset();
        for (const q of f.qualities) if (q.scanned) this.set({ channel: q.channel, quality: q.quality }, q.localOnlyHoleUs / SECOND_US);
      },
    });
    new Gauge({
      name: 'segcov_peer_up',
      help: "1 while a peer answers segcov's spans API, else 0",
      labelNames: ['peer'],
      registers: [this.registry],
      async collect() {
        const f = await get();
        this.reset();
        for (const p of f.peers) this.set({ peer: p.node }, p.up ? 1 : 0);
      },
    });
  }

  /** Brings the figures up to date; the number moves whenever they were computed again. */
  async version(): Promise<number> {
    await this.current();
    return this.changes;
  }

  /** The figures; callers meanwhile (the gauges of one render) share one computation. */
  private current(): Promise<FleetFigureSet> {
    if (this.pending !== null) return this.pending;
    const inputs = this.inputs();
    const l = this.last;
    if (l?.value.settled && l.inputs.length === inputs.length && l.inputs.every((x, i) => x === inputs[i])) return Promise.resolve(l.value);
    this.pending = (async () => {
      const value = await this.figures();
      this.last = { value, inputs };
      this.computed++;
      this.changes++;
      return value;
    })().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }
}
