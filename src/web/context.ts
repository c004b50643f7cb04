import { SECOND_US } from '../coverage/types.js';
import { severityRules, type DaemonConfig } from '../config/daemonConfig.js';
import type { CoverageState } from '../live/coverageState.js';
import type { IncidentSource } from '../history/holeHistory.js';
import { mapFileName } from '../store/layout.js';
import { FleetSource } from './fleetSource.js';
import type { StreamEvents } from './liveEvents.js';
import { apiTarget, type PeerTarget } from './peerFetcher.js';
import { mapLayout } from './mapLayout.js';
import { notYetRects } from './notYet.js';
import { pairsToShow } from './qualitySummary.js';
import { renderStatusPage, type PageData } from './statusPage.js';

/** What a WebContext is made from: the daemon's live state and its settings. */
export interface WebContextOptions {
  readonly state: CoverageState;
  readonly config: DaemonConfig;
  /** Wall clock in ms since the epoch (default Date.now); tests pin it. */
  readonly now?: () => number;
  /** This node's name in the fleet view (default: the host name). */
  readonly nodeName?: string;
  /** Nodes other than config peers (the database's), with where their spans are. */
  readonly extraPeers?: () => Readonly<Record<string, PeerTarget>>;
  /** Told of `/api/v1/events` streams dropped, refused, opened and closed. */
  readonly streamEvents?: StreamEvents;
  /** The hole history (`/api/v1/incidents`, `event: incident`); absent: no incidents. */
  readonly history?: IncidentSource;
}

/** What the web outputs read: the options, and this node's spans and its peers'. */
export interface WebContext extends WebContextOptions {
  /** Asks no peer until its owner starts it (the daemon does; so do tests that need peers). */
  readonly fleet: FleetSource;
}

/** A WebContext with its fleet source, made here and nowhere else. */
export function createWebContext(o: WebContextOptions): WebContext {
  const fleet = new FleetSource({
    state: o.state,
    pairs: () => shownPairs(o),
    peers: () => allPeers(o),
    now: o.now,
    nodeName: o.nodeName ?? o.config.nodeName,
    pollMs: o.config.peerPollMs,
    rules: severityRules(o.config),
  });
  return { ...o, fleet };
}

export function nowUs(ctx: WebContext): number {
  return Math.round((ctx.now ?? Date.now)() * 1000);
}

/** The channels and qualities the outputs show: configured ones first, then any other the state holds. */
export function shownPairs(ctx: WebContextOptions): [string, string][] {
  return pairsToShow(ctx.config.channels, ctx.config.qualities, ctx.state.list());
}

/** The map file names this node may serve: one per channel and quality shown. */
export function mapNames(ctx: WebContext): Set<string> {
  return new Set(shownPairs(ctx).map(([c, q]) => mapFileName(c, q)));
}

/** Every peer: the database's nodes, and config peers (a config peer of the same name wins). */
export function allPeers(ctx: WebContextOptions): Record<string, PeerTarget> {
  const out: Record<string, PeerTarget> = { ...(ctx.extraPeers?.() ?? {}) };
  for (const [name, base] of Object.entries(ctx.config.peers)) out[name] = apiTarget(base);
  return out;
}

/**
 * A segment older than this marks a quality stale: 5 minutes, or two check intervals
 * when the store is not watched (then segments only show up once a pass has run).
 */
export function staleAfterUs(config: DaemonConfig): number {
  const s = config.watch ? 300 : Math.max(300, 2 * config.checkInterval);
  return s * SECOND_US;
}

/**
 * The page's data. `mapPrefix` goes before each (URL-encoded) map file name: `maps/`
 * when served by the daemon, `` for the static copy next to the maps. Both are relative,
 * so the page also works behind a reverse proxy under a sub-path.
 */
export function pageData(ctx: WebContext, mapPrefix: string, isStatic: boolean, docsUrl: string | null = null): PageData {
  const view = ctx.fleet.view();
  const maps = view.qualities.map((q) => {
    const status = ctx.state.get(q.channel, q.quality);
    const map = status?.coverage.map ?? null;
    if (status === undefined || map === null) return null;
    const file = mapFileName(q.channel, q.quality);
    const layout = mapLayout(map, ctx.config.pixelLength);
    return {
      ...layout,
      src: `${mapPrefix}${encodeURIComponent(file)}?v=${status.updatedAt}`,
      alt: `Coverage map of ${q.channel} ${q.quality}`,
      notyet: notYetRects(map, ctx.config.pixelLength, view.generated_at, layout.scaleX, layout.scaleY),
    };
  });
  return {
    ...view,
    static: isStatic,
    stale_after_us: staleAfterUs(ctx.config),
    pixel_seconds: ctx.config.pixelLength,
    docs_url: docsUrl,
    maps,
  };
}

/** The status page for this context (see pageData for `mapPrefix` and `docsUrl`). */
export function pageHtml(ctx: WebContext, mapPrefix: string, isStatic = mapPrefix === '', docsUrl: string | null = null): string {
  return renderStatusPage(pageData(ctx, mapPrefix, isStatic, docsUrl));
}
