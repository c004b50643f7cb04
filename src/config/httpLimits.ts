/**
 * How many connections and event streams the HTTP server holds, and for whom (the
 * `--http-*` flags). Declared here, without imports, so the CLI can name the defaults
 * without loading the server.
 */
export interface HttpLimits {
  /** Open connections at most, the scrape reserve included. */
  readonly maxConnections: number;
  /**
   * Connections kept for `/metrics`, `/healthz` and `/readyz`: taken only when the rest are
   * held (or the client holds its share), and then serving nothing else.
   */
  readonly scrapeReserve: number;
  /** Connections one client address (IPv4 address, IPv6 /64) holds outside the reserve. */
  readonly perClient: number;
  /** `/api/v1/events` streams open at once. */
  readonly maxEventStreams: number;
  /** ms an event stream may leave its data unread before it is dropped (its browser reconnects). */
  readonly eventStallMs: number;
}

/**
 * 512 connections fit a 1024-file limit with room for the store's files. A reserve of 32 is
 * more than the Prometheus servers and health checks of any node scrape at once. 32 per
 * address is five browsers' worth (6 connections each); 15 addresses are needed to fill the
 * rest. 64 streams: one address holds at most half of them. 20 s outlasts a network hiccup
 * and lets a 500 kB event through a 200 kbit/s link.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxConnections: 512,
  scrapeReserve: 32,
  perClient: 32,
  maxEventStreams: 64,
  eventStallMs: 20_000,
};

/**
 * Why a connection was closed or a request refused for want of room:
 * - `idle_closed`: an idle or unfinished connection, closed early to admit a new one;
 * - `refused`: a new connection closed at once (nothing idle to close, the reserve full);
 * - `reserve_only`: a request other than a scrape on a reserve connection (answered 503);
 * - `event_streams`: a live-update stream while all are taken (the browser comes back later).
 */
export const SHED_REASONS = ['idle_closed', 'refused', 'reserve_only', 'event_streams'] as const;
export type ShedReason = (typeof SHED_REASONS)[number];
