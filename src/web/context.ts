import { hostname } from 'node:os';
import { SECOND_US } from '../coverage/types.js';
import type { DaemonConfig } from '../config/daemonConfig.js';
import type { CoverageState } from '../daemon/coverageState.js';
import { mapFileName } from '../store/layout.js';
import { pairsToShow, summarizeQuality, type QualitySummary } from './qualitySummary.js';
import { renderStatusPage, type PageOptions } from './statusPage.js';

/** What the web outputs read: the daemon's live state and its settings. */
export interface WebContext {
  readonly state: CoverageState;
  readonly config: DaemonConfig;
  /** Wall clock in ms since the epoch (default Date.now); tests pin it. */
  readonly now?: () => number;
}

/** Seconds between the page's own reloads. */
export const REFRESH_SECONDS = 30;
/** Holes listed per quality on the page. */
export const MAX_HOLES_LISTED = 10;

export function nowUs(ctx: WebContext): number {
  return Math.round((ctx.now ?? Date.now)() * 1000);
}

/** The channels and qualities the outputs show: configured ones first, then any other the state holds. */
export function shownPairs(ctx: WebContext): [string, string][] {
  return pairsToShow(ctx.config.channels, ctx.config.qualities, ctx.state.list());
}

/** The map file names this node may serve: one per channel and quality shown. */
export function mapNames(ctx: WebContext): Set<string> {
  return new Set(shownPairs(ctx).map(([c, q]) => mapFileName(c, q)));
}

export function summaries(ctx: WebContext): QualitySummary[] {
  const t = nowUs(ctx);
  return shownPairs(ctx).map(([c, q]) => summarizeQuality(c, q, ctx.state.get(c, q), t));
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
 * The status page for this context. `mapPrefix` goes before each (URL-encoded) map file
 * name: `maps/` when served by the daemon, `` for the static copy next to the maps.
 * Both are relative, so the page also works behind a reverse proxy under a sub-path.
 */
export function pageHtml(ctx: WebContext, mapPrefix: string, docsUrl?: string): string {
  const opts: PageOptions = {
    nowUs: nowUs(ctx),
    nodeName: hostname(),
    ready: ctx.state.ready,
    refreshSeconds: REFRESH_SECONDS,
    pixelSeconds: ctx.config.pixelLength,
    staleAfterUs: staleAfterUs(ctx.config),
    mapUrl: (file, s) => `${mapPrefix}${encodeURIComponent(file)}?v=${s.status?.updatedAt ?? 0}`,
    peers: ctx.config.peers,
    maxHoles: MAX_HOLES_LISTED,
    docsUrl,
  };
  return renderStatusPage(summaries(ctx), opts);
}
