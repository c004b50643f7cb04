import type { QualityCoverage } from '../coverage/qualityCoverage.js';
import type { Logger } from '../log.js';
import type { SelfMetrics } from '../outputs/metrics/selfMetrics.js';

/** Summary of one full pass, as logged. */
export interface PassSummary {
  readonly hours: number;
  readonly segments: number;
  readonly rawHoles: number;
  readonly ms: number;
}

/** A full pass of one channel and quality, done: its metrics set, its summary logged (each hour at debug). */
export function recordPass(
  deps: { readonly metrics: SelfMetrics; readonly log: Logger },
  labels: { channel: string; quality: string },
  cov: QualityCoverage,
  segments: number,
  ms: number,
): PassSummary {
  const { metrics, log } = deps;
  metrics.passDuration.set(labels, ms / 1000);
  metrics.passes.inc(labels);
  metrics.lastPass.set(labels, Date.now() / 1000);
  metrics.segments.set(labels, segments);
  let rawHoles = 0;
  for (const h of cov.hours) {
    rawHoles += h.rawHoles.length;
    log.debug({ ...labels, hour: h.result.hour, raw_coverage: h.result.rawCoverage / 1e6, raw_holes: h.rawHoles.length }, 'hour');
  }
  const summary = { hours: cov.hours.length, segments, rawHoles, ms: Math.round(ms) };
  log.info(
    { ...labels, ...summary },
    `pass ${labels.channel}/${labels.quality}: ${summary.hours} hours, ${segments} segments, ${rawHoles} raw holes in ${summary.ms} ms`,
  );
  return summary;
}
