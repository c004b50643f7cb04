import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { segcovVersion } from '../../packageFiles.js';
import { PROM_CLIENT_SAMPLE_MS, replaceEventLoopLag } from './eventLoopLag.js';
import { PROBLEM_KINDS } from '../../store/problems.js';
import { SHED_REASONS } from '../../config/httpLimits.js';

/** Every kind of `segcov_errors_total`: segcov's own failures. Each series starts at 0. */
export const ERROR_KINDS = [
  'map_write',
  'textfile_write',
  'page_write',
  'node_list',
  'pass',
  'watcher',
  'live_update',
  'http',
  'web_config',
  'history_write',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** prom-client default gauges left out of the scrape (see the constructor). */
const ACTIVE_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;
/** Why live mode re-read the store (or part of it): watch events may have been missed. */
export const RESYNC_REASONS = ['overflow', 'stall', 'remount', 'replaced'] as const;
export type ResyncReason = (typeof RESYNC_REASONS)[number];

/** segcov's own metrics (`segcov_` prefix) plus prom-client's default process metrics. */
export class SelfMetrics {
  readonly registry = new Registry();
  readonly passDuration = new Gauge({
    name: 'segcov_pass_duration_seconds',
    help: 'Wall time of the last full pass of a channel and quality',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  readonly passes = new Counter({
    name: 'segcov_passes_total',
    help: 'Full passes completed',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  readonly lastPass = new Gauge({
    name: 'segcov_last_pass_timestamp_seconds',
    help: 'Unix time the last full pass of a channel and quality ended',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  // Was segcov_hours (promtool: "hours" is not a base unit); renamed, see docs/metrics.md.
  readonly hours = new Gauge({
    name: 'segcov_hour_folders',
    help: 'Hour folders held for a channel and quality (every hour on disk)',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  readonly segments = new Gauge({
    name: 'segcov_segments',
    help: 'Segment names parsed in the last pass (temp included)',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  readonly newestSegmentEnd = new Gauge({
    name: 'segcov_newest_segment_end_timestamp_seconds',
    help: 'Unix time of the end of the newest segment',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'segcov_store_errors_total',
    help: `Problems found in the store (each file or folder counted once per kind): ${PROBLEM_KINDS.join(', ')}`,
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'segcov_errors_total',
    help: `segcov's own failures by kind: ${ERROR_KINDS.join(', ')}`,
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly watcherDegraded = new Gauge({
    name: 'segcov_watcher_degraded',
    help: '1 when live watching failed and segcov relies on periodic passes',
    registers: [this.registry],
  });
  readonly liveUpdates = new Counter({
    name: 'segcov_live_updates_total',
    help: 'Live recomputations of changed hours',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  readonly liveMismatches = new Counter({
    name: 'segcov_live_mismatches_total',
    help: 'Hours where a periodic pass found different figures than the live state',
    labelNames: ['channel', 'quality'],
    registers: [this.registry],
  });
  readonly liveResyncs = new Counter({
    name: 'segcov_live_resyncs_total',
    help: `Re-reads of the store or part of it because watch events may have been missed, by reason: ${RESYNC_REASONS.join(', ')}`,
    labelNames: ['reason'],
    registers: [this.registry],
  });
  /** Log lines written, by level (Python's names), as wubloader's services count them. */
  readonly logLines = new Counter({
    name: 'log_count_total',
    help: 'Log lines written, by level (DEBUG, INFO, WARNING, ERROR, CRITICAL)',
    labelNames: ['level'],
    registers: [this.registry],
  });
  readonly ready = new Gauge({
    name: 'segcov_ready',
    help: '1 once the first full pass of every channel and quality is done',
    registers: [this.registry],
  });

  /** Set by the HTTP server once it listens: its open connections by pool. */
  httpConnectionsSource: (() => { general: number; reserve: number }) | null = null;
  readonly httpConnections = new Gauge({
    name: 'segcov_http_connections',
    help: 'Open HTTP connections, by pool (general, or the reserve kept for scrapes)',
    labelNames: ['pool'],
    registers: [this.registry],
    collect: () => {
      const n = this.httpConnectionsSource?.() ?? { general: 0, reserve: 0 };
      this.httpConnections.set({ pool: 'general' }, n.general);
      this.httpConnections.set({ pool: 'reserve' }, n.reserve);
    },
  });
  readonly httpShed = new Counter({
    name: 'segcov_http_connections_shed_total',
    help: `HTTP connections closed or requests refused for want of room, by reason: ${SHED_REASONS.join(', ')}`,
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly httpEventClients = new Gauge({
    name: 'segcov_http_event_clients',
    help: 'Open live-update streams (/api/v1/events)',
    registers: [this.registry],
  });
  readonly httpEventClientsDropped = new Counter({
    name: 'segcov_http_event_clients_dropped_total',
    help: 'Live-update streams dropped because their client left data unread too long',
    registers: [this.registry],
  });
  readonly httpAuthFailures = new Counter({
    name: 'segcov_http_auth_failures_total',
    help: 'Basic-auth requests with a wrong user or password',
    registers: [this.registry],
  });
  readonly httpAuthThrottled = new Counter({
    name: 'segcov_http_auth_throttled_total',
    help: 'Basic-auth requests answered 429 unchecked: their address gave too many wrong passwords, or too many checks were under way',
    registers: [this.registry],
  });

  readonly buildInfo = new Gauge({
    name: 'segcov_build_info',
    help: 'Always 1; the labels say which segcov runs (version) on which Node.js (nodejs_version)',
    labelNames: ['version', 'nodejs_version'],
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    // every level from the start, so rate() sees the first line of a level
    for (const level of ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']) this.logLines.inc({ level }, 0);
    if (defaultMetrics) {
      // the event-loop lag series are segcov's own: sampled once a second, interval taken off
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: PROM_CLIENT_SAMPLE_MS });
      replaceEventLoopLag(this.registry);
      // Gauges named like counters (promtool flags them; prom-client issue #283 wants them gone):
      // sum(nodejs_active_handles) etc. give the totals from the per-type series kept.
      for (const m of ACTIVE_TOTALS) this.registry.removeSingleMetric(m);
    }
    this.buildInfo.set({ version: segcovVersion(), nodejs_version: process.version }, 1);
    // Born at 0, so that increase() sees the very first problem (a series born at 1 hides it).
    for (const kind of PROBLEM_KINDS) this.storeErrors.inc({ kind }, 0);
    for (const kind of ERROR_KINDS) this.errors.inc({ kind }, 0);
    for (const reason of RESYNC_REASONS) this.liveResyncs.inc({ reason }, 0);
    for (const reason of SHED_REASONS) this.httpShed.inc({ reason }, 0);
  }

  /** Creates the counters of one channel and quality at 0 (called at start-up for each). */
  initQuality(channel: string, quality: string): void {
    const labels = { channel, quality };
    this.passes.inc(labels, 0);
    this.liveUpdates.inc(labels, 0);
    this.liveMismatches.inc(labels, 0);
  }
}
