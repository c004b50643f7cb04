import { readdirSync } from 'node:fs';
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
  return l > 3 && n.charCodeAt(l - 1) === 115 /* s */ && n.charCodeAt(l - 2) === 116 /* t */ &&
    n.charCodeAt(l - 3) === 46 /* . */ && n.charCodeAt(0) !== 46;
}

/** The `X` of every `X.tombstone` listed, or null when there is none (the usual case). */
function tombstonesOf(names: readonly string[]): Set<string> | null {
  let tombstones: Set<string> | null = null;
  for (const n of names) if (isTombstone(n)) (tombstones ??= new Set()).add(n.slice(0, -10));
  return tombstones;
}

/**
 * SPEC §1 listing: the names that end in `.ts` and do not start with `.`, less every
 * `X.ts` with an `X.tombstone` beside it. Everything else is ignored silently.
 */
export function selectSegmentNames(names: readonly string[]): string[] {
  const tombstones = tombstonesOf(names);
  const out: string[] = [];
  for (const n of names) {
    if (!isSegmentFile(n)) continue;
    if (tombstones !== null && tombstones.has(n.slice(0, -3))) continue;
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
    if (tombstones !== null && tombstones.has(name.slice(0, -3))) continue;
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
export async function readHour(dir: string, hour: string, hourStart: number, report: ProblemSink, opts: ReadHourOptions = {}): Promise<HourInput | null> {
  let names: string[];
  try {
    names = opts.syncList === true ? readdirSync(dir) : await readdir(dir);
  } catch (err) {
    report(problemOf(err), dir, `cannot list hour: ${errorText(err)}`);
    return null;
  }
  const { segments, bad } = parseHourListing(names, hourStart);
  for (const b of bad) report('bad_name', path.join(dir, b.name), b.reason);
  const needed = namesNeedingSize(segments);
  let kept = segments;
  if (needed.length > 0) {
    const wanted = new Set(needed);
    const gone = new Set<string>();
    await Promise.all(segments.filter((s) => wanted.has(s.name)).map(async (s) => {
      try {
        s.size = (await stat(path.join(dir, s.name))).size;
      } catch (err) {
        const kind = problemOf(err);
        report(kind, path.join(dir, s.name), `cannot stat segment: ${errorText(err)}`);
        if (kind === 'vanished') gone.add(s.name);
      }
    }));
    if (gone.size > 0) kept = segments.filter((s) => !gone.has(s.name));
  }
  return { hour, start: hourStart, segments: kept, bad: bad.length };
}
