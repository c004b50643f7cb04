import { stat } from 'node:fs/promises';
import type { HourResult } from '../coverage/hourAnalysis.js';

/** How long after a folder's last change its mtime is trusted (coarse kernel timestamps). */
export const SETTLE_MS = 1000;

interface Entry {
  readonly result: HourResult;
  readonly segments: number;
  readonly ino: number;
  readonly mtimeMs: number;
  /** Wall-clock ms of the stat taken before the folder was read. */
  readonly statAt: number;
}

/**
 * Per-hour results of earlier passes, keyed by hour folder name and valid while the
 * folder is the same inode with the same mtime: any segment or tombstone added, removed
 * or renamed changes the folder's mtime. A folder changed less than SETTLE_MS before it
 * was read is not trusted (a change in the same timestamp tick would not show), so the
 * next pass reads it again. This makes a periodic pass over an unchanged archive cost one
 * stat per hour folder.
 */
export class HourCache {
  private readonly entries = new Map<string, Entry>();

  /** Stats `dir`; returns the cached result when still valid, else a stamp to store with the fresh one. */
  async lookup(hour: string, dir: string): Promise<{ hit: { result: HourResult; segments: number } } | { stamp: Omit<Entry, 'result' | 'segments'> | null }> {
    const now = Date.now();
    let st: { ino: number; mtimeMs: number };
    try {
      st = await stat(dir);
    } catch {
      return { stamp: null };
    }
    const e = this.entries.get(hour);
    if (e !== undefined && e.ino === st.ino && e.mtimeMs === st.mtimeMs && e.mtimeMs < e.statAt - SETTLE_MS) {
      return { hit: { result: e.result, segments: e.segments } };
    }
    return { stamp: { ino: st.ino, mtimeMs: st.mtimeMs, statAt: now } };
  }

  store(hour: string, stamp: Omit<Entry, 'result' | 'segments'> | null, result: HourResult, segments: number): void {
    if (stamp === null) this.entries.delete(hour);
    else this.entries.set(hour, { ...stamp, result, segments });
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
