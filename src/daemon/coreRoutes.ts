import type { DaemonParts } from './daemonParts.js';
import type { Route } from '../outputs/http/httpServer.js';
import { sendText } from '../outputs/http/responses.js';
import { MetricsCache, RegistryText, sendMetrics, type FormatParts } from '../outputs/metrics/metricsCache.js';
import { OPENMETRICS_EOF } from '../outputs/metrics/openMetrics.js';

/**
 * The text of /metrics in parts, each rendered again only when it changed: the §4 gauges
 * (the bulk, kept as text per hour by CoverageGauges, one part per family: a coverage change
 * joins again, and compresses again, only the families it changed); the window and fleet gauges when their
 * inputs changed or while a window still follows the clock; segcov's own and the process
 * metrics every time. The parts are the very same Buffers while unchanged (MetricsCache
 * reuses their compressed form). In both formats: the §4 gauges read the same in OpenMetrics,
 * so both share their Buffers (the bulk is neither converted nor compressed twice); each
 * registry's part is converted once per render of it; OpenMetrics ends with `# EOF`.
 */
export function metricsParts(
  parts: Pick<DaemonParts, 'gauges' | 'windowGauges' | 'fleetGauges' | 'metrics'> & Partial<Pick<DaemonParts, 'historyMetrics'>>,
): () => Promise<FormatParts> {
  const windows = new RegistryText(parts.windowGauges.registry, { version: () => parts.windowGauges.version() });
  const fleet = new RegistryText(parts.fleetGauges.registry, { version: () => parts.fleetGauges.version() });
  const self = new RegistryText(parts.metrics.registry);
  // the hole history's few series, every time (the oldest open hole's age follows the clock)
  const history = parts.historyMetrics === undefined ? null : new RegistryText(parts.historyMetrics.registry);
  return async () => {
    const coverage = parts.gauges.exposition();
    const registries = [
      await windows.formats(),
      await fleet.formats(),
      ...(history === null ? [] : [await history.formats()]),
      await self.formats(),
    ];
    return {
      text: [...coverage, ...registries.map((r) => r.text)],
      openmetrics: [...coverage, ...registries.map((r) => r.openmetrics), OPENMETRICS_EOF],
    };
  };
}

/**
 * /metrics (or `--web.telemetry-path`: coverage gauges + segcov_ + process metrics), /healthz,
 * /readyz: the scrape paths, served also on the connections the server keeps in reserve for them.
 */
export function coreRoutes(parts: DaemonParts): Route[] {
  // a coverage change is on the very next scrape; otherwise one render a second at most
  const cache = new MetricsCache(metricsParts(parts), 1000, Date.now, () => parts.gauges.version);
  return [
    { path: parts.config.telemetryPath, reserved: true, handle: (req, res) => sendMetrics(req, res, cache) },
    { path: '/healthz', reserved: true, handle: (_req, res) => sendText(res, 200, 'ok\n') },
    {
      path: '/readyz',
      reserved: true,
      handle: (_req, res) => (parts.state.ready ? sendText(res, 200, 'ready\n') : sendText(res, 503, 'first pass not done\n')),
    },
  ];
}
