import { hostname } from 'node:os';
import type { SeverityRules } from '../coverage/severity.js';
import type { CoverageState } from '../live/coverageState.js';
import { fleetView, type FleetView } from './fleetView.js';
import { nodeSpans, type NodeSpans } from './nodeSpans.js';
import { PeerFetcher, type PeerTarget } from './peerFetcher.js';

export interface FleetSourceOptions {
  readonly state: CoverageState;
  /** The channels and qualities this node shows. */
  readonly pairs: () => [string, string][];
  /** Peers to ask (config peers merged with the database's nodes). */
  readonly peers: () => Readonly<Record<string, PeerTarget>>;
  /** Wall clock, ms (tests pin it). */
  readonly now?: () => number;
  /** This node's name in the fleet view (default: the host name). */
  readonly nodeName?: string;
  readonly pollMs?: number;
  /** How a pair's state is judged (--long-hole, --max-age); default: the defaults. */
  readonly rules?: SeverityRules;
}

type Listener = () => void;

/**
 * This node's spans and its peers' in one place: what the fleet API, the live event
 * stream, the page and the fleet gauges read. Tells its listeners when either side
 * changed (this node's coverage state, or a peer's answer).
 */
export class FleetSource {
  readonly fetcher: PeerFetcher;
  readonly nodeName: string;
  private readonly listeners = new Set<Listener>();
  private started = false;

  constructor(private readonly opts: FleetSourceOptions) {
    this.nodeName = opts.nodeName ?? hostname();
    // A node list (the database's) may name this node too: it is never its own peer.
    const peers = (): Record<string, PeerTarget> => {
      const all = { ...opts.peers() };
      delete all[this.nodeName];
      return all;
    };
    this.fetcher = new PeerFetcher({ peers, intervalMs: opts.pollMs, onChange: () => this.emit() });
    opts.state.onUpdate(() => this.emit());
  }

  nowUs(): number {
    return Math.round((this.opts.now ?? Date.now)() * 1000);
  }

  /** Starts asking peers (idempotent; needed only when there are peers). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.fetcher.start();
  }

  stop(): void {
    this.fetcher.stop();
  }

  spans(): NodeSpans {
    const s = this.opts.state;
    return nodeSpans(this.nodeName, this.opts.pairs(), (c, q) => s.get(c, q), s.ready, this.nowUs(), this.opts.rules);
  }

  view(): FleetView {
    return fleetView(this.spans(), this.fetcher.snapshot(), this.nowUs());
  }

  onChange(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
