/**
 * `npm run bench:history`: what the hole history adds to a live update, in-process.
 *
 * For stores of 24 / 168 / 720 hours × 1800 two-second segments (every tenth hour with a 30 s
 * hole, so incidents are open), segments are appended one at a time to a new hour, as a
 * recorder does, and each update is timed in two parts:
 *   core:    the hour analysed again, the hour list patched, the coverage updated
 *            (analyzeHour + withHours + updateQualityCoverage: the in-process heart of the
 *            daemon's "CPU per new segment", which adds listing, events, gauges and the map);
 *   history: HoleHistory.update of the new coverage (the part this bench is about).
 * Then the cost of an update that does change a hole (the window report and a life step).
 * Medians of ROUNDS rounds of SEGMENTS segments. No file is written (the history's file
 * writes happen only when a hole changes).
 */
import { Writable } from 'node:stream';
import { analyzeHour, type HourResult } from '../src/coverage/hourAnalysis.js';
import { qualityCoverage, updateQualityCoverage, withHours, type QualityCoverage } from '../src/coverage/qualityCoverage.js';
import { HOUR_US, type Segment } from '../src/coverage/types.js';
import { HoleHistory } from '../src/history/holeHistory.js';
import { createLogger } from '../src/log.js';
import { HistoryMetrics } from '../src/outputs/metrics/historyMetrics.js';
import { formatHourName } from '../src/store/hourName.js';
import { median } from './measure.js';

const FIRST = Date.UTC(2026, 9, 1) * 1000;
const S = 1_000_000;
const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MAP = { pixelSeconds: 2, rows: 300 };
const quiet = createLogger(
  'error',
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
);

function segmentsOf(h: number, count: number, hole: boolean): Segment[] {
  const out: Segment[] = [];
  for (let k = 0; k < count; k++) {
    if (hole && k >= 100 && k < 115) continue;
    out.push({
      name: `${String(k).padStart(4, '0')}-2.0-full-A.ts`,
      start: FIRST + h * HOUR_US + 2 * k * S,
      duration: 2 * S,
      type: 'full',
      hash: 'A',
    });
  }
  return out;
}
const hourOf = (h: number, segments: Segment[]): HourResult =>
  analyzeHour({ hour: formatHourName(FIRST + h * HOUR_US), start: FIRST + h * HOUR_US, segments, bad: 0 });

async function run(hours: number): Promise<void> {
  let list = Array.from({ length: hours }, (_, h) => hourOf(h, segmentsOf(h, 1800, h % 10 === 5)));
  let cov: QualityCoverage = qualityCoverage(list, MAP);
  let t = FIRST / 1000 + (hours + 2) * 3_600_000;
  const history = new HoleHistory({ file: null, log: quiet, metrics: new HistoryMetrics(() => []), now: () => t });
  const status = (c: QualityCoverage) => ({ channel: 'bench', quality: 'source', coverage: c, updatedAt: 0 });
  history.begin([status(cov)]);
  const open = history.incidents().length;
  const core: number[] = [];
  const hist: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const h = hours + round; // each round records into a new hour
    const segs: Segment[] = [];
    let coreMs = 0;
    let histMs = 0;
    for (let k = 0; k < SEGMENTS; k++) {
      segs.push({
        name: `${String(k).padStart(4, '0')}-2.0-full-L.ts`,
        start: FIRST + h * HOUR_US + 2 * k * S,
        duration: 2 * S,
        type: 'full',
        hash: 'L',
      });
      t += 2000;
      const a = performance.now();
      const r = hourOf(h, segs);
      const next = withHours(list, new Map([[r.start, r]]));
      cov = updateQualityCoverage(cov, next, new Set([r.start]), MAP).coverage;
      list = next;
      const b = performance.now();
      history.update(status(cov));
      histMs += performance.now() - b;
      coreMs += b - a;
    }
    core.push((coreMs / SEGMENTS) * 1000);
    hist.push((histMs / SEGMENTS) * 1000);
  }
  // an update that changes a hole: a segment of an old hour deleted, then put back
  const changed: number[] = [];
  for (let i = 0; i < 20; i++) {
    const h = 2 + (i % Math.max(1, hours - 4));
    const gap = segmentsOf(h, 1800, h % 10 === 5).filter((_, k) => k !== 900 + i);
    for (const r of [hourOf(h, gap), hourOf(h, segmentsOf(h, 1800, h % 10 === 5))]) {
      const next = withHours(list, new Map([[r.start, r]]));
      cov = updateQualityCoverage(cov, next, new Set([r.start]), MAP).coverage;
      list = next;
      t += 1000;
      const a = performance.now();
      history.update(status(cov));
      changed.push((performance.now() - a) * 1000);
    }
  }
  const c = median(core);
  const hh = median(hist);
  console.log(
    `| ${hours} h | ${open} | ${c.toFixed(1)} µs (${core.map((x) => x.toFixed(0)).join(' / ')}) | ${hh.toFixed(2)} µs (${hist.map((x) => x.toFixed(2)).join(' / ')}) | ${((hh / c) * 100).toFixed(1)} % | ${((hh / 600) * 100).toFixed(2)} % | ${median(changed).toFixed(0)} µs |`,
  );
}

async function main(): Promise<void> {
  console.log(
    `hole history cost per new segment (in-process; medians of ${ROUNDS} rounds of ${SEGMENTS} segments; load ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})`,
  );
  console.log(
    '| store | incidents open | core update per segment (rounds) | history per segment (rounds) | history / core | history / 0.6 ms (daemon, RESULTS.md) | update that changes a hole |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const hours of [24, 168, 720]) await run(hours);
}

void main();
