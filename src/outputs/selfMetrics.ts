import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** How often the event-loop-lag metric samples (ms). */
export const EVENT_LOOP_SAMPLE_MS = 1000;

/** segcov's own metrics (`segcov_` prefix) plus prom-client's default process metrics. */
export class SelfMetrics {
  readonly registry = new Registry();
  readonly passDuration = new Gauge({
    name: 'segcov_pass_duration_seconds', help: 'Wall time of the last full pass of a channel and quality',
    labelNames: ['channel', 'quality'], registers: [this.registry],
  });
  readonly passes = new Counter({
    name: 'segcov_passes_total', help: 'Full passes completed', labelNames: ['channel', 'quality'], registers: [this.registry],
  });
  readonly lastPass = new Gauge({
    name: 'segcov_last_pass_timestamp_seconds', help: 'Unix time the last full pass of a channel and quality ended',
    labelNames: ['channel', 'quality'], registers: [this.registry],
  });
  readonly hours = new Gauge({
    name: 'segcov_hours', help: 'Hour folders analysed (within the window)', labelNames: ['channel', 'quality'], registers: [this.registry],
  });
  readonly segments = new Gauge({
    name: 'segcov_segments', help: 'Segment names parsed in the last pass (temp included)', labelNames: ['channel', 'quality'], registers: [this.registry],
  });
  readonly newestSegmentEnd = new Gauge({
    name: 'segcov_newest_segment_end_timestamp_seconds', help: 'Unix time of the end of the newest segment',
    labelNames: ['channel', 'quality'], registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'segcov_store_errors_total', help: 'Problems found in the store (each file or folder counted once per kind)',
    labelNames: ['kind'], registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'segcov_errors_total', help: "segcov's own failures by kind (map_write, textfile_write, pass, watcher, http)",
    labelNames: ['kind'], registers: [this.registry],
  });
  readonly watcherDegraded = new Gauge({
    name: 'segcov_watcher_degraded', help: '1 when live watching failed and segcov relies on periodic passes', registers: [this.registry],
  });
  readonly liveUpdates = new Counter({
    name: 'segcov_live_updates_total', help: 'Live recomputations of changed hours', labelNames: ['channel', 'quality'], registers: [this.registry],
  });
  readonly liveMismatches = new Counter({
    name: 'segcov_live_mismatches_total', help: 'Hours where a periodic pass found different figures than the live state',
    labelNames: ['channel', 'quality'], registers: [this.registry],
  });
  readonly ready = new Gauge({
    name: 'segcov_ready', help: '1 once the first full pass of every channel and quality is done', registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    // The event-loop-lag histogram samples on a timer: every 10 ms by default, which alone
    // kept an idle daemon at ~0.4 s CPU a minute. Once a second is enough to see stalls.
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }
}
