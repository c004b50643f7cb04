import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { namesNeedingSize } from '../coverage/bestSegment.js';
import type { HourInput } from '../coverage/hourAnalysis.js';
import type { Segment } from '../coverage/types.js';
import { parseSegmentName } from './segmentName.js';
import { errorText, problemOf, type ProblemSink } from './problems.js';

export interface BadName {
  readonly name: string;
  readonly reason: string;
}

/**
 * SPEC §1 listing: the names that end in `.ts` and do not start with `.`, less every
 * `X.ts` with an `X.tombstone` beside it. Everything else is ignored silently.
 */
export function selectSegmentNames(names: readonly string[]): string[] {
  let tombstones: Set<string> | null = null;
  for (const n of names) {
    if (n.endsWith('.tombstone') && n.charCodeAt(0) !== 46) (tombstones ??= new Set()).add(n.slice(0, -10));
  }
  const out: string[] = [];
  for (const n of names) {
    if (!n.endsWith('.ts') || n.charCodeAt(0) === 46 /* . */) continue;
    if (tombstones !== null && tombstones.has(n.slice(0, -3))) continue;
    out.push(n);
  }
  return out;
}

/** Parses the selected names of one hour into segments and bad names. Pure. */
export function parseHourListing(names: readonly string[], hourStart: number): { segments: Segment[]; bad: BadName[] } {
  const segments: Segment[] = [];
  const bad: BadName[] = [];
  for (const name of selectSegmentNames(names)) {
    const p = parseSegmentName(name, hourStart);
    if (p.ok) segments.push(p.segment);
    else bad.push({ name, reason: p.reason });
  }
  return { segments, bad };
}

/**
 * Reads one hour folder: lists it, parses the names, and stats only the files whose
 * size decides a best-segment choice. Returns null when the folder cannot be listed
 * (reported); a file that vanishes before its stat is reported and left out.
 */
export async function readHour(dir: string, hour: string, hourStart: number, report: ProblemSink): Promise<HourInput | null> {
  let names: string[];
  try {
    names = await readdir(dir);
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
