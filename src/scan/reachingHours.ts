import { readdir } from 'node:fs/promises';
import { hourDir } from '../store/layout.js';
import { parseHourListing } from '../store/listHour.js';
import type { HourFolder } from '../store/listHours.js';

/** True when the folder's names hold a non-temp segment that ends after `since`, or it cannot be listed. */
async function reaches(dir: string, start: number, since: number): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return true; // the full read reports why
  }
  for (const s of parseHourListing(names, start).segments) if (s.type !== 'temp' && s.start + s.duration > since) return true;
  return false;
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
  base: string, channel: string, quality: string, folders: readonly HourFolder[], since: number, concurrency: number,
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
