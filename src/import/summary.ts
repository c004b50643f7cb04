import type { Interval } from '../coverage/types.js';
import type { ChunkRecord, PipelineResult } from './chunkPipeline.js';
import { formatIsoMicros } from '../time/isoTime.js';
import type { SpanCoverage } from './storeHoles.js';

/** The lines printed after a run: totals, then every failed chunk. */
export function pipelineSummary(r: PipelineResult): string[] {
  const count = (s: ChunkRecord['status']): number => r.records.filter((x) => x.status === s).length;
  const wall = r.elapsedMs / 1000;
  const lines = [
    `landed ${count('landed')} of ${r.planned} segments (${count('exists')} already present, ${count('failed')} failed) ` +
      `in ${wall.toFixed(1)} s, ${wall > 0 ? (r.mediaUs / 1e6 / wall).toFixed(1) : '0'} media s/s`,
  ];
  for (const f of r.records.filter((x) => x.status === 'failed')) {
    lines.push(`failed: chunk ${f.sequence} at ${formatIsoMicros(f.startUs)} after ${f.tries} tries: ${f.error ?? 'unknown error'}`);
  }
  if (r.records.length < r.planned) lines.push(`not processed: ${r.planned - r.records.length} chunks (run stopped early)`);
  return lines;
}

/** One coverage line and one line per hole. */
export function coverageLines(label: string, c: SpanCoverage): string[] {
  const span = c.span.end - c.span.start;
  const pct = span > 0 ? (100 * c.coveredUs) / span : 100;
  return [
    `${label}: ${(c.coveredUs / 1e6).toFixed(3)} s of ${(span / 1e6).toFixed(3)} s covered (${pct.toFixed(2)}%), ${c.holes.length} holes`,
    ...c.holes.map((h) => `  hole ${intervalText(h)}`),
  ];
}

export function intervalText(h: Interval): string {
  return `${formatIsoMicros(h.start)} .. ${formatIsoMicros(h.end)} (${((h.end - h.start) / 1e6).toFixed(3)} s)`;
}
