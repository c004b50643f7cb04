import { readdir } from 'node:fs/promises';
import { hourDir } from '../store/layout.js';
import type { HourFolder } from '../store/listHours.js';
import { parseDurationMicros, parseOffsetMicros } from '../store/segmentName.js';

/**
 * True when a name among `names` (of the hour that starts at `start`) is a segment, not a
 * temp one, that ends after `since`. Only the start and duration fields are parsed (no
 * segment objects): a name this takes that a full parse calls bad only costs a read.
 */
export function namesReach(names: readonly string[], start: number, since: number): boolean {
  for (const n of names) {
    if (!n.endsWith('.ts') || n.startsWith('.')) continue;
    const d1 = n.indexOf('-');
    const d2 = d1 < 0 ? -1 : n.indexOf('-', d1 + 1);
    if (d2 < 0 || n.startsWith('temp-', d2 + 1)) continue;
    const offset = parseOffsetMicros(n, 0, d1);
    const duration = parseDurationMicros(n, d1 + 1, d2);
    if (offset !== null && duration !== null && start + offset + duration > since) return true;
  }
  return false;
}

/** True when the folder's names reach past `since` (namesReach), or it cannot be listed. */
async function reaches(dir: string, start: number, since: number): Promise<boolean> {
  try {
    return namesReach(await readdir(dir), start, since);
  } catch {
    return true; // the full read reports why
  }
}

/**
 * The hour folders among `folders` (all before the hour of `since`) that hold a segment
 * running into the window that starts at `since`. A segment's duration has no upper bound
 * in its name, so no earlier hour can be ruled out unread; but this reads names only (one
 * listing a folder: no stat, no analysis), and only the hours it keeps are read in full.
 * Tombstones are not applied: an hour kept for a deleted segment is read for nothing, and
 * the full read drops it. An hour that cannot be listed is kept, so that its read reports why.
 */
export async function hoursReaching(
  base: string,
  channel: string,
  quality: string,
  folders: readonly HourFolder[],
  since: number,
  concurrency: number,
): Promise<HourFolder[]> {
  const keep = new Array<boolean>(folders.length).fill(false);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < folders.length) {
      const i = next++;
      keep[i] = await reaches(hourDir(base, channel, quality, folders[i].name), folders[i].start, since);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, folders.length)) }, lane));
  return folders.filter((_, i) => keep[i]);
}
