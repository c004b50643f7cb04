import { readdirSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { namesNeedingSize } from '../coverage/bestSegment.js';
import type { HourInput } from '../coverage/hourAnalysis.js';
import type { Segment } from '../coverage/types.js';
import { parseSegment } from './segmentName.js';
import { errorText, problemOf, type ProblemSink } from './problems.js';

export interface BadName {
  readonly name: string;
  readonly reason: string;
}

/** True for `X.tombstone` names that are not hidden (char codes first: this runs for every listed name). */
function isTombstone(n: string): boolean {
  return n.charCodeAt(n.length - 1) === 101 /* e */ && n.endsWith('.tombstone') && n.charCodeAt(0) !== 46 /* . */;
}

/** True for `X.ts` names that are not hidden. */
function isSegmentFile(n: string): boolean {
  const l = n.length;
  return (
    l > 3 &&
    n.charCodeAt(l - 1) === 115 /* s */ &&
    n.charCodeAt(l - 2) === 116 /* t */ &&
    n.charCodeAt(l - 3) === 46 /* . */ &&
    n.charCodeAt(0) !== 46
  );
}

/** The `X` of every `X.tombstone` listed, or null when there is none (the usual case). */
function tombstonesOf(names: readonly string[]): Set<string> | null {
  let tombstones: Set<string> | null = null;
  for (const n of names) {
    if (!isTombstone(n)) continue;
    tombstones ??= new Set();
    tombstones.add(n.slice(0, -10));
  }
  return tombstones;
}

/**
 * Listing an hour (docs/coverage.md, The store): the names that end in `.ts` and do not
 * start with `.`, less every `X.ts` with an `X.tombstone` beside it. Everything else is
 * ignored silently.
 */
export function selectSegmentNames(names: readonly string[]): string[] {
  const tombstones = tombstonesOf(names);
  const out: string[] = [];
  for (const n of names) {
    if (!isSegmentFile(n)) continue;
    if (tombstones?.has(n.slice(0, -3))) continue;
    out.push(n);
  }
  return out;
}

/**
 * Parses the selected names of one hour into segments (sorted by start, which makes the
 * analysis' own sorts near-linear) and bad names. Pure.
 */
export function parseHourListing(names: readonly string[], hourStart: number): { segments: Segment[]; bad: BadName[] } {
  const tombstones = tombstonesOf(names);
  const segments: Segment[] = [];
  const bad: BadName[] = [];
  for (const name of names) {
    if (!isSegmentFile(name)) continue;
    if (tombstones?.has(name.slice(0, -3))) continue;
    const p = parseSegment(name, hourStart);
    if (typeof p === 'string') bad.push({ name, reason: p });
    else segments.push(p);
  }
  segments.sort((a, b) => a.start - b.start);
  return { segments, bad };
}

/** How an hour folder is listed. */
export interface ReadHourOptions {
  /**
   * List with one synchronous call instead of a thread-pool round trip: cheaper for the
   * single folder a live update re-reads (a local listing takes well under a millisecond).
   */
  readonly syncList?: boolean;
}

/**
 * Reads one hour folder: lists it, parses the names, and stats only the files whose
 * size decides a best-segment choice. Returns null when the folder cannot be listed
 * (reported); a file that vanishes before its stat is reported and left out.
 */
export async function readHour(
  dir: string,
  hour: string,
  hourStart: number,
  report: ProblemSink,
  opts: ReadHourOptions = {},
): Promise<HourInput | null> {
  let names: string[];
  try {
    names = opts.syncList === true ? readdirSync(dir) : await readdir(dir);
  } catch (err) {
    report(problemOf(err), dir, `cannot list hour: ${errorText(err)}`);
    return null;
  }
  const listed = listedHour(dir, names, hourStart, report);
  const sized =
    listed.needSize.length === 0
      ? []
      : await Promise.all(
          listed.needSize.map(async (s) => {
            try {
              s.size = (await stat(path.join(dir, s.name))).size;
              return true;
            } catch (err) {
              return sizeFailed(dir, s, err, report);
            }
          }),
        );
  return hourInput(hour, hourStart, listed, sized);
}

/** A folder's listing read ahead of its use: the names, or why it could not be listed. */
export type Listing = { readonly names: string[] } | { readonly error: unknown };

/** Lists a folder on libuv's threads, settling to a Listing (never rejecting). */
export function listAhead(dir: string): Promise<Listing> {
  return readdir(dir).then(
    (names) => ({ names }),
    (error: unknown) => ({ error }),
  );
}

/**
 * readHour with synchronous calls only, for the first pass's batches, whose listings were
 * read ahead (`listed`): a thread-pool round trip per call would be pure overhead there.
 * Same result and the same problems as readHour.
 */
export function readHourSync(dir: string, hour: string, hourStart: number, report: ProblemSink, listed?: Listing): HourInput | null {
  let names: string[];
  try {
    if (listed === undefined) names = readdirSync(dir);
    else if ('names' in listed) names = listed.names;
    else throw listed.error;
  } catch (err) {
    report(problemOf(err), dir, `cannot list hour: ${errorText(err)}`);
    return null;
  }
  const parsed = listedHour(dir, names, hourStart, report);
  const sized = parsed.needSize.map((s) => {
    try {
      s.size = statSync(path.join(dir, s.name)).size;
      return true;
    } catch (err) {
      return sizeFailed(dir, s, err, report);
    }
  });
  return hourInput(hour, hourStart, parsed, sized);
}

interface ListedHour {
  readonly segments: Segment[];
  readonly bad: number;
  /** The segments whose size decides a best-segment choice (docs/coverage.md, Best segment), in listing order. */
  readonly needSize: Segment[];
}

/** Parses a listing, reports its bad names, and picks the segments that need a stat. */
function listedHour(dir: string, names: readonly string[], hourStart: number, report: ProblemSink): ListedHour {
  const { segments, bad } = parseHourListing(names, hourStart);
  for (const b of bad) report('bad_name', path.join(dir, b.name), b.reason);
  const needed = namesNeedingSize(segments);
  if (needed.length === 0) return { segments, bad: bad.length, needSize: [] };
  const wanted = new Set(needed);
  return { segments, bad: bad.length, needSize: segments.filter((s) => wanted.has(s.name)) };
}

/** Reports a failed size stat; false when the file is gone (it is left out), true when it stays. */
function sizeFailed(dir: string, s: Segment, err: unknown, report: ProblemSink): boolean {
  const kind = problemOf(err);
  report(kind, path.join(dir, s.name), `cannot stat segment: ${errorText(err)}`);
  return kind !== 'vanished';
}

/** The hour's input, less the size-needing segments that vanished (`kept[i]` false). */
function hourInput(hour: string, start: number, listed: ListedHour, kept: readonly boolean[]): HourInput {
  let segments = listed.segments;
  if (kept.includes(false)) {
    const gone = new Set(listed.needSize.filter((_, i) => !kept[i]).map((s) => s.name));
    segments = segments.filter((s) => !gone.has(s.name));
  }
  return { hour, start, segments, bad: listed.bad };
}
