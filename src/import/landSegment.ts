import { link, readdir, rename, stat, unlink } from 'node:fs/promises';
import { ensureDir } from '../outputs/files/atomicWrite.js';
import path from 'node:path';
import { formatHourName, parseHourName } from '../store/hourName.js';
import { hourDir } from '../store/layout.js';
import { formatSegmentName, parseSegmentName } from '../store/segmentName.js';
import { selectSegmentNames } from '../store/listHour.js';
import { untrackTemp } from './tempFiles.js';

export interface LandTarget {
  readonly base: string;
  readonly channel: string;
  readonly quality: string;
}

export type LandOutcome =
  | { readonly status: 'landed'; readonly file: string }
  /** A full segment with the same start was already there; ours was dropped. */
  | { readonly status: 'exists'; readonly file: string };

/** `CHANNEL/QUALITY/HOUR/NAME` of a full segment, relative to BASE. */
export function segmentRelPath(t: LandTarget, startUs: number, durationUs: number, hash: string): string {
  const hour = formatHourName(startUs);
  const hourStart = parseHourName(hour) ?? 0;
  return path.join(t.channel, t.quality, hour, formatSegmentName(startUs - hourStart, durationUs, 'full', hash));
}

/**
 * Moves a finished temp file into place as a full segment. Never overwrites: a `full`
 * segment already listed at the same start wins, and the final step is a hard link,
 * which fails rather than replace a file that appeared meanwhile (a rename would
 * silently replace it). The temp file is removed in every outcome but a throw.
 */
export async function landSegment(t: LandTarget, temp: string, startUs: number, durationUs: number, hash: string): Promise<LandOutcome> {
  const rel = segmentRelPath(t, startUs, durationUs, hash);
  const dir = hourDir(t.base, t.channel, t.quality, formatHourName(startUs));
  const final = path.join(t.base, rel);
  await ensureDir(dir); // not mkdir({recursive}): it spins forever under /proc
  const existing = await fullSegmentAt(dir, startUs);
  if (existing !== null) {
    await unlink(temp).catch(() => undefined);
    untrackTemp(temp);
    return { status: 'exists', file: path.join(path.dirname(rel), existing) };
  }
  try {
    await link(temp, final);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      await unlink(temp).catch(() => undefined);
      untrackTemp(temp);
      return { status: 'exists', file: rel };
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw e;
    // File systems without hard links: check, then rename (a narrow race, documented).
    if (await exists(final)) {
      await unlink(temp).catch(() => undefined);
      untrackTemp(temp);
      return { status: 'exists', file: rel };
    }
    await rename(temp, final);
    untrackTemp(temp);
    return { status: 'landed', file: rel };
  }
  await unlink(temp);
  untrackTemp(temp);
  return { status: 'landed', file: rel };
}

/** The name of a listed `full` segment in `dir` starting exactly at startUs, or null. */
async function fullSegmentAt(dir: string, startUs: number): Promise<string | null> {
  const hourStart = parseHourName(path.basename(dir));
  if (hourStart === null) return null;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  for (const n of selectSegmentNames(names)) {
    const p = parseSegmentName(n, hourStart);
    if (p.ok && p.segment.type === 'full' && p.segment.start === startUs) return n;
  }
  return null;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
