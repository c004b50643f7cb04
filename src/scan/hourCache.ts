import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { HourResult } from '../coverage/hourAnalysis.js';

/** How long after a folder's last change its mtime is trusted (coarse kernel timestamps). */
export const SETTLE_MS = 1000;

/** A file whose size decided a best-segment choice, with the size it had when read. */
export interface SizedFile {
  readonly name: string;
  readonly size: number;
}

/** What a folder looked like before it was read. */
export interface HourStamp {
  readonly ino: number;
  readonly mtimeMs: number;
  /** Moves with mtime, and also when the folder's permissions change (chmod 000 leaves mtime alone). */
  readonly ctimeMs: number;
  /** Wall-clock ms of the stat taken before the folder was read. */
  readonly statAt: number;
}

interface Entry extends HourStamp {
  readonly result: HourResult;
  readonly segments: number;
  readonly sized: readonly SizedFile[];
}

/**
 * Per-hour results of earlier passes, keyed by hour folder name and valid while the
 * folder is the same inode with the same mtime and ctime, and every file whose size decided
 * a best-segment choice (suspect and partial duplicates: docs/coverage.md, Best segment) still has that size: any
 * segment or tombstone added, removed or renamed changes the folder's mtime, a chmod its
 * ctime, but a file that grows or shrinks in place does not. A folder changed less than SETTLE_MS before it
 * was read is not trusted (a change in the same timestamp tick would not show), so the
 * next pass reads it again. This makes a periodic pass over an unchanged archive cost one
 * stat per hour folder, plus one per size-deciding file.
 */
export class HourCache {
  private readonly entries = new Map<string, Entry>();

  /** Stats `dir`; returns the cached result when still valid, else a stamp to store with the fresh one. */
  async lookup(hour: string, dir: string): Promise<{ hit: { result: HourResult; segments: number } } | { stamp: HourStamp | null }> {
    const now = Date.now();
    let st: { ino: number; mtimeMs: number; ctimeMs: number };
    try {
      st = await stat(dir);
    } catch {
      return { stamp: null };
    }
    const stamp = { ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, statAt: now };
    const e = this.entries.get(hour);
    if (e === undefined || e.ino !== st.ino || e.mtimeMs !== st.mtimeMs || e.ctimeMs !== st.ctimeMs || e.mtimeMs >= e.statAt - SETTLE_MS)
      return { stamp };
    if (!(await sizesUnchanged(dir, e.sized))) return { stamp };
    return { hit: { result: e.result, segments: e.segments } };
  }

  store(hour: string, stamp: HourStamp | null, result: HourResult, segments: number, sized: readonly SizedFile[] = []): void {
    if (stamp === null) this.entries.delete(hour);
    else this.entries.set(hour, { ...stamp, result, segments, sized });
  }

  /** Forgets an hour (changed by a live update: the next pass reads it). */
  forget(hour: string): void {
    this.entries.delete(hour);
  }

  /** Keeps only the hours in `keep` (folders that are gone). */
  retain(keep: ReadonlySet<string>): void {
    for (const h of this.entries.keys()) if (!keep.has(h)) this.entries.delete(h);
  }
}

/** True when every file still has the size it had (a file gone or unreadable is a change). */
async function sizesUnchanged(dir: string, sized: readonly SizedFile[]): Promise<boolean> {
  const same = await Promise.all(
    sized.map(async (f) => {
      try {
        return (await stat(path.join(dir, f.name))).size === f.size;
      } catch {
        return false;
      }
    }),
  );
  return same.every(Boolean);
}
