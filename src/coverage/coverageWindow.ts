import type { QualityCoverage } from './qualityCoverage.js';
import { windowHoles, windowSettled, type Chain, type WindowReport } from './windowHoles.js';

interface Held {
  /** The now (µs) the report was computed at. */
  readonly at: number;
  readonly report: WindowReport;
}

/** Settled reports, by coverage object (each update replaces it whole) and chain. */
const settledReports = new WeakMap<QualityCoverage, Map<Chain, Held>>();

/**
 * windowHoles of one channel and quality's coverage at `nowUs`, remembered once settled. A
 * report whose window no longer follows the clock (windowSettled) is the report of every
 * later now, so it is kept with the coverage object and given again for any now at or after
 * the one it was computed at: the window gauges, the fleet gauges and the pages share one
 * computation per coverage update instead of making one each per scrape or request (at 720
 * hours, a few ms each). A report that still follows the clock is computed every time.
 * The same answer as windowHoles(cov.hours' results, cov.bounds, nowUs, chain), always.
 */
export function coverageWindowHoles(cov: QualityCoverage, nowUs: number, chain: Chain = 'raw'): WindowReport {
  const held = settledReports.get(cov)?.get(chain);
  if (held !== undefined && nowUs >= held.at) return held.report;
  const results = cov.hours.map((h) => h.result);
  const report = windowHoles(results, cov.bounds, nowUs, chain);
  if (windowSettled(report.window, report.covered, results, cov.bounds)) {
    let byChain = settledReports.get(cov);
    if (byChain === undefined) {
      byChain = new Map();
      settledReports.set(cov, byChain);
    }
    byChain.set(chain, { at: nowUs, report });
  }
  return report;
}
