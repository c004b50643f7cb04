import path from 'node:path';
import { analyzeHour, type HourResult } from '../coverage/hourAnalysis.js';
import { runOrderedPool } from '../pipeline/orderedPool.js';
import { hourDir, qualityDir } from '../store/layout.js';
import { readHour, type ReadHourOptions } from '../store/listHour.js';
import { listHourFolders, type HourFolder, type HourWindow } from '../store/listHours.js';
import type { ProblemSink } from '../store/problems.js';
import { listBatchAhead, readHourBatch, type BatchHour, type HourBatch } from './hourBatch.js';
import type { HourCache, SizedFile } from './hourCache.js';

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
   * First passes: contiguous hours in batches read synchronously, the next batch listed
   * ahead on libuv's threads meanwhile (an hour's garbage dies young: less GC and RSS than
   * awaiting each listing). Without it, every hour is read on the async path.
   */
  readonly batched?: boolean;
}

export interface ColdPassResult {
  /** Per-hour results in hour order; hours that could not be listed are left out. */
  readonly hours: HourResult[];
  /** Segments (parsed names, temp included) seen in the pass. */
  readonly segments: number;
  /** Hour folders that are there and could not be read (permission, loop, I/O error): not gone. */
  readonly unreadable: readonly string[];
}

/** Reads and analyses one hour folder; null when it cannot be listed. `sized`: the files whose size was read. */
export async function analyzeHourFolder(
  base: string,
  channel: string,
  quality: string,
  h: HourFolder,
  report: ProblemSink,
  opts?: ReadHourOptions,
): Promise<{ result: HourResult; segments: number; sized: SizedFile[] } | null> {
  const input = await readHour(hourDir(base, channel, quality, h.name), h.name, h.start, report, opts);
  if (input === null) return null;
  const sized: SizedFile[] = [];
  for (const s of input.segments) if (s.size !== undefined) sized.push({ name: s.name, size: s.size });
  return { result: analyzeHour(input), segments: input.segments.length, sized };
}

/** analyzeHourFolder through the cache: unchanged folders cost one stat. */
async function analyzeCached(
  cache: HourCache,
  opts: ColdPassOptions,
  h: HourFolder,
): Promise<{ result: HourResult; segments: number } | null> {
  const found = await cache.lookup(h.name, hourDir(opts.base, opts.channel, opts.quality, h.name));
  if ('hit' in found) return found.hit;
  const r = await analyzeHourFolder(opts.base, opts.channel, opts.quality, h, opts.report);
  if (r === null) cache.forget(h.name);
  else cache.store(h.name, found.stamp, r.result, r.segments, r.sized);
  return r;
}

/**
 * One cold pass over a channel and quality: the hour list feeds a bounded queue, a pool
 * of async tasks lists and analyses hours concurrently, and an ordered collector gathers the
 * results in hour order (stitching needs them in order).
 *
 * With a cache (the daemon's passes), a quality folder that exists but cannot be listed
 * (permission, symlink loop, I/O error — reported, not missing) also returns null, so the
 * caller keeps its last results: unreadable is not gone (a series is removed only when
 * its hour is gone from disk: docs/metrics.md, Coverage gauges).
 * So are hour folders it lists and cannot read: `unreadable` names them.
 */
export async function coldPass(opts: ColdPassOptions): Promise<ColdPassResult | null> {
  const dir = qualityDir(opts.base, opts.channel, opts.quality);
  let unreadable = false;
  const noted = notingUnreadable(opts.report, dir);
  const report: ProblemSink = (kind, p, detail) => {
    if (p === dir && kind === 'unreadable') unreadable = true;
    noted.report(kind, p, detail);
  };
  const folders = await listQualityHours({ ...opts, report });
  if (unreadable && opts.cache !== undefined) return null;
  const pass = await analyzeHourFolders(folders, opts);
  return pass === null ? null : { ...pass, unreadable: [...new Set([...noted.hours, ...pass.unreadable])] };
}

/** A sink that passes every problem on and notes the hour folders of `dir` reported unreadable. */
function notingUnreadable(report: ProblemSink, dir: string): { report: ProblemSink; hours: Set<string> } {
  const hours = new Set<string>();
  return {
    hours,
    report: (kind, p, detail) => {
      if (kind === 'unreadable' && path.dirname(p) === dir) hours.add(path.basename(p));
      report(kind, p, detail);
    },
  };
}

/** The hour folders a pass of `opts` reads, in order (the producer's input). */
export function listQualityHours(opts: Omit<ColdPassOptions, 'concurrency'>): Promise<HourFolder[]> {
  return listHourFolders(qualityDir(opts.base, opts.channel, opts.quality), opts.window, opts.report);
}

/**
 * Reads and analyses the given hour folders (in batches or one by one), collecting results
 * in hour order; `onHour` is called as each hour is collected (progress bars).
 */
export async function analyzeHourFolders(
  folders: readonly HourFolder[],
  given: ColdPassOptions,
  onHour?: () => void,
): Promise<ColdPassResult | null> {
  const noted = notingUnreadable(given.report, qualityDir(given.base, given.channel, given.quality));
  const opts = { ...given, report: noted.report };
  const hours: HourResult[] = [];
  let segments = 0;
  const take = (r: HourRead): void => {
    onHour?.();
    if (r === null) return;
    hours.push(r.result);
    segments += r.segments;
  };
  const summary =
    opts.batched === true
      ? await runOrderedPool({
          items: batchesOf(folders),
          concurrency: BATCHES_AHEAD,
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
  return summary.stopped ? null : { hours, segments, unreadable: [...noted.hours] };
}

type HourRead = { result: HourResult; segments: number } | null;

/** Hours per batch at most: a batch blocks the event loop while it is read, so none is long. */
const MAX_BATCH_HOURS = 4;

/** Batches under way at once: the one being read, and the next one being listed. */
const BATCHES_AHEAD = 2;

/** Splits the hours into runs of contiguous hours, in order. */
export function batchesOf(folders: readonly HourFolder[]): HourFolder[][] {
  const size = Math.max(1, Math.min(MAX_BATCH_HOURS, Math.ceil(folders.length / 4)));
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
 * One batch, read synchronously once its listings are in: its problems are reported here,
 * its results stored in the cache as an async read would. A batch that throws is read on
 * the async path instead.
 */
async function readBatch(hours: readonly HourFolder[], opts: ColdPassOptions): Promise<HourRead[]> {
  const batch: HourBatch = { base: opts.base, channel: opts.channel, quality: opts.quality, hours, stamp: opts.cache !== undefined };
  const listed = await Promise.all(listBatchAhead(batch).map(async (a) => ({ stamp: a.stamp, listing: await a.listing })));
  let read: BatchHour[];
  try {
    read = readHourBatch(batch, listed);
  } catch {
    return Promise.all(hours.map((h) => readInProcess(h, opts)));
  }
  return read.map((b) => fromBatch(b, opts));
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
