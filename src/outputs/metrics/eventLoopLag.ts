import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** How often the event-loop delay is sampled (ms): prom-client's 10 ms was most of an idle daemon's CPU. */
export const EVENT_LOOP_SAMPLE_MS = 1000;
/** prom-client's own sampler is left this slow: its series are replaced here. */
export const PROM_CLIENT_SAMPLE_MS = 60_000;

const LAG = 'nodejs_eventloop_lag_seconds';
/** prom-client's histogram-fed series (same names and help), and what each reads. */
const FROM_HISTOGRAM: readonly { name: string; help: string; read: (h: IntervalHistogram) => number; interval: boolean }[] = [
  { name: 'nodejs_eventloop_lag_min_seconds', help: 'The minimum recorded event loop delay.', read: (h) => h.min, interval: true },
  { name: 'nodejs_eventloop_lag_max_seconds', help: 'The maximum recorded event loop delay.', read: (h) => h.max, interval: true },
  { name: 'nodejs_eventloop_lag_mean_seconds', help: 'The mean of the recorded event loop delays.', read: (h) => h.mean, interval: true },
  {
    name: 'nodejs_eventloop_lag_stddev_seconds',
    help: 'The standard deviation of the recorded event loop delays.',
    read: (h) => h.stddev,
    interval: false,
  },
  {
    name: 'nodejs_eventloop_lag_p50_seconds',
    help: 'The 50th percentile of the recorded event loop delays.',
    read: (h) => h.percentile(50),
    interval: true,
  },
  {
    name: 'nodejs_eventloop_lag_p90_seconds',
    help: 'The 90th percentile of the recorded event loop delays.',
    read: (h) => h.percentile(90),
    interval: true,
  },
  {
    name: 'nodejs_eventloop_lag_p99_seconds',
    help: 'The 99th percentile of the recorded event loop delays.',
    read: (h) => h.percentile(99),
    interval: true,
  },
];

/**
 * Replaces prom-client's event-loop lag series (call after collectDefaultMetrics) with the
 * same names fed by a histogram sampled every `sampleMs`. Node records the whole time between
 * two samples, the interval plus the lag; prom-client reports that as is (harmless at its
 * 10 ms default, 1 s of "lag" on an idle daemon at segcov's 1 s), so the interval is taken
 * off here and the series read the lag itself. Reset at each collect, as prom-client does.
 * (Node's sampler misses most of a long synchronous stall: no sample is taken during it;
 * nodejs_eventloop_lag_seconds, measured at each collect, and the CPU series show those.)
 */
export function replaceEventLoopLag(registry: Registry, sampleMs = EVENT_LOOP_SAMPLE_MS): IntervalHistogram {
  for (const m of [LAG, ...FROM_HISTOGRAM.map((s) => s.name)]) registry.removeSingleMetric(m);
  const histogram = monitorEventLoopDelay({ resolution: sampleMs });
  histogram.enable();
  const intervalNs = sampleMs * 1e6;
  // registered first: its collect sets the others, which are rendered after it
  new Gauge({
    name: LAG,
    help: 'Lag of event loop in seconds.',
    registers: [registry],
    collect() {
      // as prom-client: the time until a setImmediate runs, seen by the next collect
      const start = process.hrtime.bigint();
      setImmediate(() => this.set(Number(process.hrtime.bigint() - start) / 1e9));
      const sampled = histogram.count > 0;
      for (const { s, g } of gauges) {
        const v = sampled ? s.read(histogram) : 0;
        g.set(Math.max(0, s.interval ? v - intervalNs : v) / 1e9);
      }
      histogram.reset();
    },
  });
  const gauges = FROM_HISTOGRAM.map((s) => ({ s, g: new Gauge({ name: s.name, help: s.help, registers: [registry] }) }));
  return histogram;
}
