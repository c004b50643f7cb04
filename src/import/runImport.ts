import path from 'node:path';
import type { Logger } from '../log.js';
import { planChunks, type BoundaryRange } from './chunkPlan.js';
import { runChunkPipeline, type PipelineResult } from './chunkPipeline.js';
import { fillRanges } from './fillPlan.js';
import type { ImportConfig } from './importConfig.js';
import { formatIsoMicros } from '../time/isoTime.js';
import { buildManifest, writeManifest, type ManifestHead } from './manifest.js';
import { checkFfmpeg, checkStoreWritable, ImportSetupError, prepareSource, type PreparedSource } from './prepare.js';
import { spanStripLine, stripLegend } from '../terminal/hourStrip.js';
import { spanCoverage, type SpanCoverage } from './storeHoles.js';
import { coverageLines, pipelineSummary } from './summary.js';

/** Where a command's output goes (tests capture it). */
export interface ImportIo {
  readonly out: (line: string) => void;
  readonly logger: Logger;
  readonly progressBar: boolean;
  /** Colour the before/after strips (a terminal); plain characters otherwise. */
  readonly color?: boolean;
}

/** `segcov chunk`: cuts SOURCE (or --from/--to of it) into the store. Returns the exit status. */
export async function runChunk(cfg: ImportConfig, io: ImportIo): Promise<number> {
  return runWithManifest(cfg, io, 'chunk', async (prep) => {
    const result = await pipeline(cfg, io, prep, [prep.limit]);
    for (const l of pipelineSummary(result)) io.out(l);
    return { result, ok: result.records.every((r) => r.status !== 'failed') && result.records.length === result.planned };
  });
}

/**
 * `segcov fill`: finds the holes of the store over the span SOURCE covers, cuts just
 * those, then measures again. Exit 0 only when every chunk landed and no hole is left.
 */
export async function runFill(cfg: ImportConfig, io: ImportIo): Promise<number> {
  return runWithManifest(cfg, io, 'fill', async (prep) => {
    const span = { start: cfg.startAtUs + prep.rangeUs.from, end: cfg.startAtUs + prep.rangeUs.to };
    const report = (kind: string, p: string, detail: string): void => io.logger.warn({ event: 'store_problem', kind, path: p }, detail);
    const before = await spanCoverage(cfg.base, cfg.channel, cfg.quality, span, report);
    for (const l of coverageLines('before', before)) io.out(l);
    const ranges = fillRanges(prep.grid, before.holes, cfg.startAtUs, prep.limit);
    if (cfg.dryRun) {
      for (const c of planChunks(prep.grid, ranges, cfg.chunkUs)) {
        io.out(
          `would cut chunk ${c.seq}: ${formatIsoMicros(cfg.startAtUs + c.startUs)} for ${((c.endUs - c.startUs) / 1e6).toFixed(6)} s (${c.frames} frames)`,
        );
      }
      return { result: null, ok: true, skipManifest: true };
    }
    if (ranges.length === 0) {
      io.out('nothing to fill');
      return { result: null, ok: before.holes.length === 0 };
    }
    const result = await pipeline(cfg, io, prep, ranges);
    for (const l of pipelineSummary(result)) io.out(l);
    const after = await spanCoverage(cfg.base, cfg.channel, cfg.quality, span, report);
    for (const l of coverageLines('after', after)) io.out(l);
    for (const l of fillStrips(before, after, io.color ?? false)) io.out(l);
    const allLanded = result.records.every((r) => r.status !== 'failed') && result.records.length === result.planned;
    return { result, ok: allLanded && after.holes.length === 0 };
  });
}

/** The before/after picture of the span `fill` worked on. */
export function fillStrips(before: SpanCoverage, after: SpanCoverage, color: boolean): string[] {
  return [
    `range ${formatIsoMicros(before.span.start)} .. ${formatIsoMicros(before.span.end)}`,
    spanStripLine('before', before.span, before.holes, color),
    spanStripLine('after ', after.span, after.holes, color),
    stripLegend(color, 'slice'),
  ];
}

interface RunOutcome {
  readonly result: PipelineResult | null;
  readonly ok: boolean;
  readonly skipManifest?: boolean;
}

/**
 * The frame of both commands: set-up checks, the body, and the manifest — written in
 * every outcome (a run that could not start names its reason in `error`).
 */
async function runWithManifest(
  cfg: ImportConfig,
  io: ImportIo,
  command: 'chunk' | 'fill',
  body: (prep: PreparedSource) => Promise<RunOutcome>,
): Promise<number> {
  const head: { -readonly [K in keyof ManifestHead]: ManifestHead[K] } = {
    command,
    source: path.resolve(cfg.source),
    sourceDurationUs: null,
    channel: cfg.channel,
    quality: cfg.quality,
    baseDir: path.resolve(cfg.base),
    startAtUs: cfg.startAtUs,
    rangeUs: null,
    chunkUs: cfg.chunkUs,
  };
  let outcome: RunOutcome = { result: null, ok: false };
  let error: string | null = null;
  try {
    await checkFfmpeg(cfg.ffmpeg);
    const prep = await prepareSource(cfg);
    head.sourceDurationUs = prep.source.durationUs;
    head.rangeUs = prep.rangeUs;
    if (!cfg.dryRun) await checkStoreWritable(cfg.base, cfg.channel, cfg.quality);
    outcome = await body(prep);
    if (prep.truncation !== null) {
      error = prep.truncation;
      outcome = { ...outcome, ok: false };
    }
  } catch (e) {
    if (!(e instanceof ImportSetupError)) throw e;
    error = e.message;
  }
  error ??= outcome.result?.fatal ?? outcome.result?.producerError ?? null;
  if (error !== null) {
    io.out(`error: ${error}`);
    io.logger.error({ event: 'import_error', error }, error);
  }
  if (cfg.manifest !== null && outcome.skipManifest !== true) {
    await writeManifest(cfg.manifest, buildManifest(head, outcome.result, error));
    io.out(`manifest: ${cfg.manifest}`);
  }
  return outcome.ok && error === null ? 0 : 1;
}

function pipeline(cfg: ImportConfig, io: ImportIo, prep: PreparedSource, ranges: readonly BoundaryRange[]): Promise<PipelineResult> {
  return runChunkPipeline({
    source: prep.source,
    grid: prep.grid,
    ranges,
    chunkUs: cfg.chunkUs,
    target: { base: cfg.base, channel: cfg.channel, quality: cfg.quality },
    startAtUs: cfg.startAtUs,
    stages: cfg.stages,
    workers: cfg.workers,
    retries: cfg.retries,
    queueSize: cfg.queueSize,
    retryDelayMs: cfg.retryDelayMs,
    cut: { ffmpeg: cfg.ffmpeg, preset: cfg.preset, crf: cfg.crf },
    ffprobe: cfg.ffprobe,
    logger: io.logger,
    progressBar: io.progressBar,
  });
}
