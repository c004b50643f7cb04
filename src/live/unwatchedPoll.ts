import { folderStamp } from './liveParts.js';
import type { UnwatchedFolder } from './watchEvents.js';

/** What one poll of the unwatched folders found. */
export interface PollFindings {
  /** Unwatched hour folders that changed (or were seen for the first time): re-read them. */
  readonly hours: readonly { readonly channel: string; readonly quality: string; readonly hour: string }[];
  /** Unwatched base (both null), channel (quality null) or quality folders: pass what is under them. */
  readonly upper: readonly { readonly channel: string | null; readonly quality: string | null }[];
}

/**
 * Polls the folders live mode cannot watch, by their stamps (inode, mtime, ctime): an hour
 * folder only when it changed; an upper folder on every poll while it exists (a cached pass
 * costs little), and a missing one only once it changes.
 */
export class UnwatchedPoller {
  /** Stamps of unwatched folders, by path, as last polled. */
  private readonly stamps = new Map<string, string>();

  clear(): void {
    this.stamps.clear();
  }

  async poll(unwatched: ReadonlyMap<string, UnwatchedFolder>): Promise<PollFindings> {
    const hours: PollFindings['hours'][number][] = [];
    const upper: PollFindings['upper'][number][] = [];
    await Promise.all(
      [...unwatched.entries()].map(async ([dir, u]) => {
        const stamp = await folderStamp(dir);
        const before = this.stamps.get(dir);
        this.stamps.set(dir, stamp);
        if (u.level === 3 && u.place?.level === 'hour') {
          // first sight counts as a change: it may have changed since it was last read
          if (before !== stamp) hours.push({ channel: u.place.channel, quality: u.place.quality, hour: u.place.hour });
          return;
        }
        if (stamp.startsWith('error:ENOENT') && before === stamp) return;
        upper.push({
          channel: u.level === 0 ? null : (u.place?.channel ?? null),
          quality: u.place?.level === 'quality' ? u.place.quality : null,
        });
      }),
    );
    for (const d of this.stamps.keys()) if (!unwatched.has(d)) this.stamps.delete(d);
    return { hours, upper };
  }
}
