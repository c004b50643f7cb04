import type { HourResult } from '../coverage/hourAnalysis.js';
import { analyzeHourFolder } from '../scan/coldPass.js';
import { parseHourName } from '../store/hourName.js';
import { hourDir } from '../store/layout.js';
import type { ProblemSink } from '../store/problems.js';

/**
 * How long a live update waits for more events of the same burst: a burst should cost a few
 * re-reads of the hour, not one per file, and a segment still reaches /metrics well inside 1 s.
 */
export const LIVE_DEBOUNCE_MS = 200;

/** What live updates of one channel and quality act on. */
export interface HourUpdateTarget {
  /** Re-reads one hour: its result, null when gone, undefined to leave it as held (outside the window, or unreadable). */
  read(hour: string): Promise<HourResult | null | undefined>;
  /** Takes the re-read hours (null: drop the hour) and publishes them. */
  apply(changes: ReadonlyMap<string, HourResult | null>): void;
  /** A live update failed (logged and counted by the owner). */
  failed(e: unknown): void;
}

/**
 * Dirty-hour tracking for one channel and quality: store events mark hours dirty; after a
 * short debounce (bursts coalesce) only those hours are re-read and handed to the target.
 * It also remembers when each hour last changed, so a full pass that was reading while an
 * hour changed does not undo the newer live read.
 */
export class HourUpdates {
  /** Hours changed on disk and not yet re-read. */
  private readonly dirty = new Set<string>();
  /** When each hour last changed (performance.now()). */
  private readonly touchedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly target: HourUpdateTarget,
    private readonly debounceMs = LIVE_DEBOUNCE_MS,
  ) {}

  /** Marks an hour changed on disk; it is re-read and published shortly. */
  markDirty(hour: string): void {
    this.dirty.add(hour);
    this.touchedAt.set(hour, performance.now());
    this.schedule();
  }

  /** True when the hour is waiting for a re-read, or changed at or after `since` (performance.now()). */
  changedSince(hour: string, since: number): boolean {
    return this.dirty.has(hour) || (this.touchedAt.get(hour) ?? -Infinity) >= since;
  }

  /** Forgets change times (after a full pass has taken everything older). */
  forgetChangeTimes(): void {
    this.touchedAt.clear();
  }

  /** Resolves when no update is waiting or running. */
  async settled(): Promise<void> {
    while (this.timer !== null || this.running !== null) {
      if (this.running !== null) await this.running;
      else await new Promise((r) => setTimeout(r, this.debounceMs));
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.running !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.flush()
        .catch((e: unknown) => this.target.failed(e))
        .finally(() => {
          this.running = null;
          if (this.dirty.size > 0) this.schedule();
        });
    }, this.debounceMs);
  }

  /** Re-reads the dirty hours and hands them over in one change. */
  private async flush(): Promise<void> {
    const hours = [...this.dirty];
    this.dirty.clear();
    const changes = new Map<string, HourResult | null>();
    await Promise.all(
      hours.map(async (hour) => {
        const r = await this.target.read(hour);
        if (r !== undefined) changes.set(hour, r);
      }),
    );
    if (changes.size > 0) this.target.apply(changes);
  }
}

/** Where a live re-read looks. */
export interface RereadPlace {
  readonly base: string;
  readonly channel: string;
  readonly quality: string;
  readonly report: ProblemSink;
}

/**
 * Re-reads one hour folder for a live update: its result, null when it is gone (or not a
 * folder), 'unreadable' when it is there and cannot be listed (permission, loop, I/O error),
 * undefined when the name is not an hour's (not to be held). Every hour on disk is read:
 * --first-hour and --last-hour bound only the map.
 * The one folder is listed synchronously: cheaper than a thread-pool round trip.
 */
export async function rereadHour(at: RereadPlace, hour: string): Promise<HourResult | null | 'unreadable' | undefined> {
  const start = parseHourName(hour);
  if (start === null) return undefined;
  const dir = hourDir(at.base, at.channel, at.quality, hour);
  let unreadable = false;
  const report: ProblemSink = (kind, p, detail) => {
    if (kind === 'unreadable' && p === dir) unreadable = true;
    at.report(kind, p, detail);
  };
  const r = await analyzeHourFolder(at.base, at.channel, at.quality, { name: hour, start }, report, { syncList: true });
  return r?.result ?? (unreadable ? 'unreadable' : null);
}
