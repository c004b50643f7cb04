import { analyzeHour, type HourResult } from '../coverage/hourAnalysis.js';
import { runOrderedPool } from '../pipeline/orderedPool.js';
import { hourDir, qualityDir } from '../store/layout.js';
import { readHour, type ReadHourOptions } from '../store/listHour.js';
import { listHourFolders, type HourFolder, type HourWindow } from '../store/listHours.js';
import type { ProblemSink } from '../store/problems.js';
import type { BatchHour } from './hourBatch.js';
import type { HourCache, SizedFile } from './hourCache.js';
import type { HourWorkerPool } from './hourWorkerPool.js';

export interface ColdPassOptions {
  readonly base: string;
  readonly channel: string;
  readonly quality: string;
  readonly window: HourWindow;
  /** Hours read and analysed at once. */
  readonly concurrency: number;
  readonly report: ProblemSink;
  /** Checked between hours: a pass stops early (and returns null) when it says so. */
  readonly shouldStop?: () => boolean;
  /** Results of earlier passes to reuse for unchanged hour folders. */
  readonly cache?: HourCache;
  /**
   * Lanes (worker threads, the main thread's) to read the hours on, in batches of
   * contiguous hours read synchronously; a batch a worker cannot read is read on the async
   * path. Without it, every hour is read on the async path (awaiting each listing).
   */
  readonly workers?: HourWorkerPool | null;
}

export interface ColdPassResult {
  /** Per-hour results in hour order; hours that could not be listed are left out. */
  readonly hours: HourResult[];
  /** Segments (parsed names, temp included) seen in the pass. */
  readonly segments: number;
}

/** Reads and analyses one hour folder; null when it cannot be listed. `sized`: the files whose size was read. */
export async function analyzeHourFolder(
  base: string, channel: string, quality: string, h: HourFolder, report: ProblemSink, opts?: ReadHourOptions,
): Promise<{ result: HourResult; segments: number; sized: SizedFile[] } | null> {
  const input = await readHour(hourDir(base, channel, quality, h.name), h.name, h.start, report, opts);
  if (input === null) return null;
  const sized: SizedFile[] = [];
  for (const s of input.segments) if (s.size !== undefined) sized.push({ name: s.name, size: s.size });
  return { result: analyzeHour(input), segments: input.segments.length, sized };
}

/** analyzeHourFolder through the cache: unchanged folders cost one stat. */
async function analyzeCached(cache: HourCache, opts: ColdPassOptions, h: HourFolder): Promise<{ result: HourResult; segments: number } | null> {
  const found = await cache.lookup(h.name, hourDir(opts.base, opts.channel, opts.quality, h.name));
  if ('hit' in found) return found.hit;
  const r = await analyzeHourFolder(opts.base, opts.channel, opts.quality, h, opts.report);
  if (r === null) cache.forget(h.name);
  else cache.store(h.name, found.stamp, r.result, r.segments, r.sized);
  return r;
}

/**
 * One cold pass over a channel and quality: the hour list feeds a bounded queue, a pool
 * of workers lists and analyses hours concurrently, and an ordered collector gathers the
 * results in hour order (stitching needs them in order).
 *
 * With a cache (the daemon's passes), a quality folder that exists but cannot be listed
 * (permission, symlink loop, I/O error — reported, not missing) also returns null, so the
 * caller keeps its last results: unreadable is not gone (a series is removed only when
 * its hour is gone from disk: docs/metrics.md, Coverage gauges).
 */
export async function coldPass(opts: ColdPassOptions): Promise<ColdPassResult | null> {
  const dir = qualityDir(opts.base, opts.channel, opts.quality);
  let unreadable = false;
  const report: ProblemSink = (kind, p, detail) => {
    if (p === dir && kind === 'unreadable') unreadable = true;
    opts.report(kind, p, detail);
  };
  const folders = await listQualityHours({ ...opts, report });
  if (unreadable && opts.cache !== undefined) return null;
  return analyzeHourFolders(folders, opts);
}

/** The hour folders a pass of `opts` reads, in order (the producer's input). */
export function listQualityHours(opts: Omit<ColdPassOptions, 'concurrency'>): Promise<HourFolder[]> {
  return listHourFolders(qualityDir(opts.base, opts.channel, opts.quality), opts.window, opts.report);
}

/**
 * Reads and analyses the given hour folders through the worker pool, collecting results
 * in hour order; `onHour` is called as each hour is collected (progress bars).
 */
export async function analyzeHourFolders(
  folders: readonly HourFolder[], opts: ColdPassOptions, onHour?: () => void,
): Promise<ColdPassResult | null> {
  const hours: HourResult[] = [];
  let segments = 0;
  const take = (r: HourRead): void => {
    onHour?.();
    if (r === null) return;
    hours.push(r.result);
    segments += r.segments;
  };
  const lanes = opts.workers?.threads ?? 0;
  // a batch per lane at work, two waiting per worker lane, and one queued in the pool
  const summary = lanes > 0
    ? await runOrderedPool({
      items: batchesOf(folders, lanes),
      concurrency: lanes * 3,
      shouldStop: opts.shouldStop,
      work: (batch) => readBatch(batch, opts),
      collect: (rs) => rs.forEach(take),
    })
    : await runOrderedPool({
      items: folders,
      concurrency: opts.concurrency,
      queueSize: opts.concurrency * 2,
      shouldStop: opts.shouldStop,
      work: (h) => readInProcess(h, opts),
      collect: take,
    });
  return summary.stopped ? null : { hours, segments };
}

type HourRead = { result: HourResult; segments: number } | null;

/**
 * Hours per batch: a few batches per lane, none long (the main thread's lane blocks the
 * event loop for a batch: about 10 ms for 4 hours of 1800 segments).
 */
const MAX_BATCH_HOURS = 4;

/** Splits the hours into runs of contiguous hours, in order. */
export function batchesOf(folders: readonly HourFolder[], lanes: number): HourFolder[][] {
  const size = Math.max(1, Math.min(MAX_BATCH_HOURS, Math.ceil(folders.length / (lanes * 4))));
  const out: HourFolder[][] = [];
  for (let i = 0; i < folders.length; i += size) out.push(folders.slice(i, i + size));
  return out;
}

function readInProcess(h: HourFolder, opts: ColdPassOptions): Promise<HourRead> {
  return opts.cache === undefined
    ? analyzeHourFolder(opts.base, opts.channel, opts.quality, h, opts.report)
    : analyzeCached(opts.cache, opts, h);
}

/**
 * One batch on a worker thread: its problems are reported here, its results stored in the
 * cache as an in-process read would. A batch the workers could not read is read in-process.
 */
async function readBatch(batch: readonly HourFolder[], opts: ColdPassOptions): Promise<HourRead[]> {
  const got = await opts.workers?.run({ base: opts.base, channel: opts.channel, quality: opts.quality, hours: batch, stamp: opts.cache !== undefined });
  if (got === null || got === undefined) return Promise.all(batch.map((h) => readInProcess(h, opts)));
  return got.map((b) => fromBatch(b, opts));
}

function fromBatch(b: BatchHour, opts: ColdPassOptions): HourRead {
  for (const [kind, p, detail] of b.problems) opts.report(kind, p, detail);
  if (b.result === null) {
    opts.cache?.forget(b.hour);
    return null;
  }
  opts.cache?.store(b.hour, b.stamp, b.result, b.segments, b.sized);
  return { result: b.result, segments: b.segments };
}
