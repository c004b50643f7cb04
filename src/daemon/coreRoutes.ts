import type { DaemonParts } from './daemonParts.js';
import { sendText, type Route } from '../outputs/httpServer.js';
import { MetricsCache, RegistryText, sendMetrics } from '../outputs/metricsCache.js';

/**
 * The text of /metrics in parts, each rendered again only when it changed: the §4 gauges
 * (the bulk, kept as text per hour by CoverageGauges, one part per family: a coverage change
 * joins again, and compresses again, only the families it changed); the window and fleet gauges when their
 * inputs changed or while a window still follows the clock; segcov's own and the process
 * metrics every time. The parts are the very same Buffers while unchanged (MetricsCache
 * reuses their compressed form).
 */
export function metricsParts(parts: Pick<DaemonParts, 'gauges' | 'windowGauges' | 'fleetGauges' | 'metrics'>): () => Promise<Buffer[]> {
  const windows = new RegistryText(parts.windowGauges.registry, { version: () => parts.windowGauges.version() });
  const fleet = new RegistryText(parts.fleetGauges.registry, { version: () => parts.fleetGauges.version() });
  const self = new RegistryText(parts.metrics.registry);
  return async () => [...parts.gauges.exposition(), await windows.buffer(), await fleet.buffer(), await self.buffer()];
}

/**
 * /metrics (coverage gauges + segcov_ + process metrics), /healthz, /readyz: the scrape
 * paths, served also on the connections the HTTP server keeps in reserve for them.
 */
export function coreRoutes(parts: DaemonParts): Route[] {
  // a coverage change is on the very next scrape; otherwise one render a second at most
  const cache = new MetricsCache(metricsParts(parts), 1000, Date.now, () => parts.gauges.version);
  return [
    { path: '/metrics', reserved: true, handle: (req, res) => sendMetrics(req, res, cache, parts.metrics.registry.contentType) },
    { path: '/healthz', reserved: true, handle: (_req, res) => sendText(res, 200, 'ok\n') },
    {
      path: '/readyz',
      reserved: true,
      handle: (_req, res) => (parts.state.ready ? sendText(res, 200, 'ready\n') : sendText(res, 503, 'first pass not done\n')),
    },
  ];
}
