import { statSync } from 'node:fs';
import { analyzeHour, type HourResult } from '../coverage/hourAnalysis.js';
import { hourDir } from '../store/layout.js';
import { listAhead, readHourSync, type Listing } from '../store/listHour.js';
import type { HourFolder } from '../store/listHours.js';
import type { ProblemKind } from '../store/problems.js';
import type { HourStamp, SizedFile } from './hourCache.js';

/** One run of contiguous hour folders of one channel and quality, read and analysed in one go. */
export interface HourBatch {
  readonly base: string;
  readonly channel: string;
  readonly quality: string;
  readonly hours: readonly HourFolder[];
  /** Stat each folder before reading it (for the hour cache of the daemon's passes). */
  readonly stamp: boolean;
}

/** A problem found, as data: the pass reports it to its sink. */
export type ProblemReport = readonly [kind: ProblemKind, path: string, detail: string];

/** What one hour of a batch gave. */
export interface BatchHour {
  readonly hour: string;
  /** Null when the folder could not be listed (reported in `problems`). */
  readonly result: HourResult | null;
  readonly segments: number;
  /** Files whose size was read (the hour cache re-checks them). */
  readonly sized: readonly SizedFile[];
  /** The folder as it was before the read; null when not asked for or the stat failed. */
  readonly stamp: HourStamp | null;
  readonly problems: readonly ProblemReport[];
}

/** One hour of a batch listed ahead, with the stamp taken before the listing. */
export interface ListedAhead {
  readonly stamp: HourStamp | null;
  readonly listing: Promise<Listing>;
}

/** A ListedAhead whose listing is in. */
export interface ListedHour {
  readonly stamp: HourStamp | null;
  readonly listing: Listing;
}

/**
 * Starts listing every hour of a batch on libuv's threads, so the kernel's share of a
 * listing runs beside the analysis of the batch before.
 */
export function listBatchAhead(batch: HourBatch): ListedAhead[] {
  return batch.hours.map((h) => {
    const dir = hourDir(batch.base, batch.channel, batch.quality, h.name);
    return { stamp: batch.stamp ? stampOf(dir) : null, listing: listAhead(dir) };
  });
}

/**
 * Reads and analyses every hour of a batch with synchronous calls, in order; `ahead`: the
 * batch's listings, read ahead (listBatchAhead, all settled), used instead of listing again.
 */
export function readHourBatch(batch: HourBatch, ahead?: readonly ListedHour[]): BatchHour[] {
  return batch.hours.map((h, i) => readBatchHour(batch, h, ahead?.[i]));
}

function readBatchHour(batch: HourBatch, h: HourFolder, ahead?: ListedHour): BatchHour {
  const dir = hourDir(batch.base, batch.channel, batch.quality, h.name);
  const stamp = ahead !== undefined ? ahead.stamp : batch.stamp ? stampOf(dir) : null;
  const problems: ProblemReport[] = [];
  const input = readHourSync(
    dir,
    h.name,
    h.start,
    (kind, p, detail) => {
      problems.push([kind, p, detail]);
    },
    ahead?.listing,
  );
  if (input === null) return { hour: h.name, result: null, segments: 0, sized: [], stamp, problems };
  const sized: SizedFile[] = [];
  for (const s of input.segments) if (s.size !== undefined) sized.push({ name: s.name, size: s.size });
  return { hour: h.name, result: analyzeHour(input), segments: input.segments.length, sized, stamp, problems };
}

/** The stamp HourCache.lookup would take: wall clock first, then the folder's stat. */
function stampOf(dir: string): HourStamp | null {
  const statAt = Date.now();
  try {
    const st = statSync(dir);
    return { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, statAt };
  } catch {
    return null;
  }
}
