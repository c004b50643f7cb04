import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { EPS_US } from '../coverage/types.js';
import { ProgressBar } from '../terminal/progressBar.js';
import { runOrderedPool } from '../pipeline/orderedPool.js';
import { qualityDir } from '../store/layout.js';
import { countChunks, planChunks, type BoundaryRange, type Chunk } from './chunkPlan.js';
import { cutChunk, type CutSettings } from './cutChunk.js';
import { decodeProblem } from './decodeCheck.js';
import { ToolMissingError } from './exec.js';
import type { FrameGrid } from './frameGrid.js';
import { hashFile } from './hashFile.js';
import { formatIsoMicros } from '../time/isoTime.js';
import { landSegment, type LandTarget } from './landSegment.js';
import { measureSegment, type SegmentTiming } from './measureSegment.js';
import type { SourceInfo } from './probeSource.js';
import { backoffMs } from '../time/backoff.js';
import type { Stage } from './stages.js';
import { dropTemp, trackTemp } from './tempFiles.js';
import { errorMessage } from '../errorMessage.js';

/** A failed chunk waits at most this long before its next try. */
const RETRY_MAX_MS = 30_000;

export interface ChunkJob {
  readonly source: SourceInfo;
  readonly grid: FrameGrid;
  /** What to cut, as frame-boundary ranges of the source. */
  readonly ranges: readonly BoundaryRange[];
  readonly chunkUs: number;
  readonly target: LandTarget;
  /** Wall-clock time of source offset 0. */
  readonly startAtUs: number;
  readonly stages: readonly Stage[];
  readonly workers: number;
  /** Extra tries after the first. */
  readonly retries: number;
  readonly queueSize: number;
  readonly retryDelayMs: number;
  readonly cut: CutSettings;
  readonly ffprobe: string;
  readonly logger: Logger;
  /** Draw a progress bar on a terminal. */
  readonly progressBar: boolean;
}

export type ChunkStatus = 'landed' | 'exists' | 'failed';

/** What became of one chunk (one manifest entry). */
export interface ChunkRecord {
  readonly sequence: number;
  readonly status: ChunkStatus;
  /** Store path relative to BASE (landed or the existing segment), null when failed. */
  readonly file: string | null;
  /** Wall-clock start and duration, µs: measured when cut, planned when it failed. */
  readonly startUs: number;
  readonly durationUs: number;
  readonly measured: boolean;
  readonly hash: string | null;
  readonly tries: number;
  readonly error: string | null;
}

export interface PipelineResult {
  readonly records: ChunkRecord[];
  readonly planned: number;
  readonly elapsedMs: number;
  /** Media time of chunks that landed (or already existed), µs. */
  readonly mediaUs: number;
  readonly producerError: string | null;
  /** A problem that stopped the run early (missing ffmpeg), or null. */
  readonly fatal: string | null;
}

/**
 * Cuts the job's ranges into the store: the producer plans numbered chunks lazily onto
 * the bounded queue of runOrderedPool, a pool of workers runs each chunk's stages (with
 * retries and backoff), and the ordered collector gathers the records in sequence, logs
 * progress and drives the progress bar. A chunk that fails for good is recorded, not
 * thrown: the rest still land.
 */
export async function runChunkPipeline(job: ChunkJob): Promise<PipelineResult> {
  const log = job.logger;
  const planned = countChunks(job.grid, job.ranges, job.chunkUs);
  const started = Date.now();
  const records: ChunkRecord[] = [];
  let mediaUs = 0;
  let producerError: string | null = null;
  let fatal: string | null = null;
  let lastProgress = 0;
  const bar = new ProgressBar({ total: planned, label: 'chunk', delayMs: 0 });
  log.info(
    {
      event: 'pipeline_start',
      source: job.source.file,
      chunks: planned,
      workers: job.workers,
      queueSize: job.queueSize,
      chunkDuration: job.chunkUs / 1e6,
      stages: job.stages,
    },
    'pipeline start',
  );

  async function* produce(): AsyncGenerator<Chunk> {
    try {
      for (const c of planChunks(job.grid, job.ranges, job.chunkUs)) {
        log.info(
          { event: 'chunk_queued', seq: c.seq, start: formatIsoMicros(job.startAtUs + c.startUs), frames: c.frames },
          'chunk queued',
        );
        yield c;
      }
    } catch (e) {
      producerError = errorMessage(e);
      log.error({ event: 'producer_error', error: producerError }, 'producer error');
    }
  }

  const progress = (force: boolean): void => {
    const now = Date.now();
    const wall = (now - started) / 1000;
    const rate = wall > 0 ? mediaUs / 1e6 / wall : 0;
    if (job.progressBar) bar.update(records.length, `${rate.toFixed(1)} media s/s`);
    if (!force && now - lastProgress < 1000) return;
    lastProgress = now;
    const left = planned - records.length;
    log.info(
      {
        event: 'progress',
        done: records.length,
        total: planned,
        mediaSeconds: mediaUs / 1e6,
        mediaPerSecond: Number(rate.toFixed(3)),
        etaSeconds: records.length > 0 ? Math.round((wall / records.length) * left) : null,
      },
      'progress',
    );
  };

  await runOrderedPool<Chunk, ChunkRecord>({
    items: produce(),
    concurrency: job.workers,
    queueSize: job.queueSize,
    shouldStop: () => fatal !== null,
    work: async (chunk) => {
      const r = await processChunk(job, chunk);
      if (r.fatal) fatal ??= r.record.error;
      return r.record;
    },
    collect: (rec) => {
      records.push(rec);
      if (rec.status !== 'failed') mediaUs += rec.durationUs;
      log.info(
        {
          event: 'chunk_collected',
          seq: rec.sequence,
          status: rec.status,
          file: rec.file,
          tries: rec.tries,
          error: rec.error,
        },
        'chunk collected',
      );
      progress(false);
    },
  });
  progress(true);
  if (job.progressBar) bar.finish();
  const elapsedMs = Date.now() - started;
  const failed = records.filter((r) => r.status === 'failed').length;
  log.info(
    {
      event: 'pipeline_complete',
      processed: records.length,
      failed,
      planned,
      elapsedSeconds: elapsedMs / 1000,
      throughput: elapsedMs > 0 ? mediaUs / 1000 / elapsedMs : 0,
    },
    'pipeline complete',
  );
  return { records, planned, elapsedMs, mediaUs, producerError, fatal };
}

let tempCounter = 0;

/** Runs one chunk's stages with retries. Never throws: failures become records. */
async function processChunk(job: ChunkJob, chunk: Chunk): Promise<{ record: ChunkRecord; fatal: boolean }> {
  const maxTries = 1 + Math.max(0, job.retries);
  let lastError = 'not tried';
  for (let attempt = 1; attempt <= maxTries; attempt++) {
    const temp = path.join(
      qualityDir(job.target.base, job.target.channel, job.target.quality),
      `.segcov-import-${process.pid}-${chunk.seq}-${attempt}-${tempCounter++}.ts`,
    );
    try {
      trackTemp(temp);
      const done = await runStages(job, chunk, temp);
      const landed = await landSegment(job.target, temp, done.startUs, done.timing.durationUs, done.hash);
      return {
        fatal: false,
        record: {
          sequence: chunk.seq,
          status: landed.status,
          file: landed.file,
          startUs: done.startUs,
          durationUs: done.timing.durationUs,
          measured: true,
          hash: done.hash,
          tries: attempt,
          error: null,
        },
      };
    } catch (e) {
      await dropTemp(temp);
      lastError = errorMessage(e);
      if (e instanceof ToolMissingError) {
        return { fatal: true, record: failedRecord(job, chunk, attempt, lastError) };
      }
      if (attempt < maxTries) {
        job.logger.warn({ event: 'chunk_retry', seq: chunk.seq, try: attempt, error: lastError }, 'chunk failed, retrying');
        await sleep(backoffMs(job.retryDelayMs, RETRY_MAX_MS, attempt));
      } else {
        return { fatal: false, record: failedRecord(job, chunk, attempt, lastError) };
      }
    }
  }
  return { fatal: false, record: failedRecord(job, chunk, maxTries, lastError) };
}

function failedRecord(job: ChunkJob, chunk: Chunk, tries: number, error: string): ChunkRecord {
  return {
    sequence: chunk.seq,
    status: 'failed',
    file: null,
    startUs: job.startAtUs + chunk.startUs,
    durationUs: chunk.endUs - chunk.startUs,
    measured: false,
    hash: null,
    tries,
    error,
  };
}

/** cut (then measure), checksum, decode — in the order given. Throws on the first failure. */
async function runStages(job: ChunkJob, chunk: Chunk, temp: string): Promise<{ timing: SegmentTiming; startUs: number; hash: string }> {
  let timing: SegmentTiming | null = null;
  let hash: string | null = null;
  for (const stage of job.stages) {
    if (stage === 'cut') {
      await cutChunk(job.source, chunk, temp, job.cut);
      timing = await measureSegment(job.ffprobe, temp, job.source.formatStartUs, job.source.frameUs);
      checkTiming(chunk, timing);
    } else if (stage === 'checksum') {
      hash = await hashFile(temp);
    } else {
      const problem = await decodeProblem(job.cut.ffmpeg, temp);
      if (problem !== null) throw new Error(`written segment ${problem}`);
    }
  }
  if (timing === null || hash === null) throw new Error('stage list lacks cut or checksum');
  return { timing, startUs: job.startAtUs + timing.startUs, hash };
}

/**
 * The written segment must hold exactly the planned frames, starting at the planned
 * frame: anything else (a truncated source, a mis-seek) would leave a hole or overlap
 * behind a name that looks fine, so it fails the try instead.
 */
function checkTiming(chunk: Chunk, t: SegmentTiming): void {
  if (t.frames !== chunk.frames) throw new Error(`cut wrote ${t.frames} of ${chunk.frames} frames (source damaged or truncated here?)`);
  if (Math.abs(t.startUs - chunk.startUs) > EPS_US) {
    throw new Error(`cut starts at ${(t.startUs / 1e6).toFixed(6)} s, planned ${(chunk.startUs / 1e6).toFixed(6)} s`);
  }
}
