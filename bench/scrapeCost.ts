/**
 * `node dist/bench/scrapeCost.js [HOURS]` (default 720): the CPU of the §4 part of one /metrics
 * render after a live update, in-process: one hour's values change, then the text is made,
 * either by prom-client's registry holding the same series (as segcov did before issue 12;
 * now the tests' oracle, test/helpers/promGauges.ts) or by CoverageGauges.exposition() (what
 * /metrics reads). Then the whole gzipped answer as /metrics makes it (MetricsCache: the §4
 * parts and segcov's own metrics, compressed part-wise), in the classic text format, in
 * OpenMetrics, and in both from one render (two Prometheus asking for different formats).
 * Every family's value changes each time, the worst case (a real update changes a few).
 * Medians of 30, after 5 warm-ups, per way; the ways alternate twice.
 */
import { GAUGE_NAMES, type GaugeValue } from '../src/coverage/gauges.js';
import { COUNTED_TYPES } from '../src/coverage/types.js';
import { CoverageGauges } from '../src/outputs/metrics/coverageGauges.js';
import { MetricsCache, RegistryText } from '../src/outputs/metrics/metricsCache.js';
import { OPENMETRICS_EOF } from '../src/outputs/metrics/openMetrics.js';
import { SelfMetrics } from '../src/outputs/metrics/selfMetrics.js';
import { formatHourName } from '../src/store/hourName.js';
import { PromGauges } from '../test/helpers/promGauges.js';

const HOURS = Number(process.argv[2] ?? 720);
const FIRST = Date.UTC(2026, 9, 1) * 1000;

/** One hour's values, all moved by `k`. */
function values(k: number): GaugeValue[] {
  const out: GaugeValue[] = [];
  for (const name of GAUGE_NAMES) {
    if (name === 'segment_count' || name === 'segment_duration' || name === 'overlap_count' || name === 'overlap_duration') {
      for (const type of COUNTED_TYPES) out.push({ name, type, value: k % 1800 });
      if (name === 'segment_count') out.push({ name, type: 'bad', value: k % 3 });
    } else {
      out.push({ name, value: 3600 - (k % 97) / 8 });
    }
  }
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const g = new CoverageGauges();
  const prom = new PromGauges();
  const hours = new Map<string, GaugeValue[]>();
  for (let i = 0; i < HOURS; i++) hours.set(formatHourName(FIRST + i * 3_600_000_000), values(i));
  g.apply('bench', 'source', hours);
  prom.apply('bench', 'source', hours);
  const newest = formatHourName(FIRST + (HOURS - 1) * 3_600_000_000);
  let k = HOURS;
  let bytes = 0;
  const self = new RegistryText(new SelfMetrics().registry);
  // as src/daemon/coreRoutes.ts: a coverage change is on the next scrape, one render serves both formats
  const cache = new MetricsCache(
    async () => {
      const coverage = g.exposition();
      const own = await self.formats();
      return { text: [...coverage, own.text], openmetrics: [...coverage, own.openmetrics, OPENMETRICS_EOF] };
    },
    60_000,
    Date.now,
    () => g.version,
  );
  const ways: Record<string, () => Promise<Buffer>> = {
    'prom-client registry': async () => Buffer.from(await prom.text()),
    'CoverageGauges.exposition': async () => Buffer.concat(g.exposition()),
    '/metrics gzip, text': async () => cache.get(true, 'text'),
    '/metrics gzip, OpenMetrics': async () => cache.get(true, 'openmetrics'),
    '/metrics gzip, both': async () => Buffer.concat([await cache.get(true, 'text'), await cache.get(true, 'openmetrics')]),
  };
  console.log(`# §4 text of /metrics after one hour changed, ${HOURS} hours (${HOURS * 20} series), node ${process.version}`);
  for (let round = 0; round < 2; round++) {
    for (const [name, render] of Object.entries(ways)) {
      const ms: number[] = [];
      for (let i = 0; i < 35; i++) {
        const change = new Map([[newest, values(++k)]]);
        g.applyChanges('bench', 'source', change);
        prom.applyChanges('bench', 'source', change);
        const c0 = process.cpuUsage();
        bytes = (await render()).length;
        const c = process.cpuUsage(c0);
        if (i >= 5) ms.push((c.user + c.system) / 1000);
      }
      console.log(`${name.padEnd(28)} ${median(ms).toFixed(2)} ms CPU (median of 30), ${bytes} bytes`);
    }
  }
}

await main();
