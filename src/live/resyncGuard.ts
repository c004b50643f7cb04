import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResyncReason } from '../outputs/metrics/selfMetrics.js';
import type { WatchedFolder } from './watchEvents.js';

/** How often the guard looks. A changed folder is confirmed by a second look, so it is re-read about 2 s after. */
export const GUARD_MS = 1000;
/** A look this late means segcov stood still (SIGSTOP, a frozen VM, a stalled loop). */
export const STALL_MS = 5000;
/** The kernel's default fs.inotify.max_queued_events, when /proc does not say. */
const DEFAULT_QUEUE = 16384;
/** Folders stat'ed at once when every watched folder is looked at (after a mount change). */
const STAT_BATCH = 256;

/** What each reason means, as logged. */
export const RESYNC_WHY: Record<ResyncReason, string> = {
  overflow:
    "watch events may have been lost: the kernel's event queue filled up (it overflows silently); watching and re-reading the whole store",
  stall: 'segcov stood still (stopped or stalled): watch events may have been lost; watching and re-reading the whole store',
  remount: 'a watched folder is another folder now (a mount changed); watching and re-reading it',
  replaced: 'a watched folder was replaced without a watch event; watching and re-reading it',
};

export interface GuardTimings {
  readonly everyMs: number;
  readonly stallMs: number;
  /** Events the kernel queues before it drops them (fs.inotify.max_queued_events). */
  readonly queueLimit: number;
}

/** What the guard looks at and acts on (the live mode's watcher, metrics and log). */
export interface GuardTarget {
  readonly base: string;
  /** Folders with a watch open, and which folder each was when watched. */
  readonly watched: () => ReadonlyMap<string, WatchedFolder>;
  /** Syncs a folder's watches again (the base: all of them) and re-reads what is under it. */
  readonly resync: (dir: string) => Promise<void>;
  /** A resync starts (to count and log). */
  readonly resyncing: (reason: ResyncReason, dirs: readonly string[], detail: Record<string, unknown>) => void;
}

export function defaultTimings(): GuardTimings {
  return { everyMs: GUARD_MS, stallMs: STALL_MS, queueLimit: readNumber('/proc/sys/fs/inotify/max_queued_events') ?? DEFAULT_QUEUE };
}

/**
 * Finds where watch events may have been missed, and has that part of the store watched and
 * read again. Node does not pass on inotify's IN_Q_OVERFLOW (libuv drops it: it names no
 * watch), so the guard tells missed events by what it can see:
 * - overflow: Node hands over what the kernel queued in one go, without the loop turning in
 *   between; a batch of half the kernel's queue limit or more may have overflowed it;
 * - stall: its own timer fired STALL_MS late: segcov stood still while events piled up;
 * - remount, replaced: a watched folder's device or inode is no longer the one watched
 *   (a mount over it, or it was replaced without an event reaching segcov). The base,
 *   channel and quality folders are stat'ed every look; every watched folder when
 *   /proc/self/mountinfo changed. A change counts once a second look confirms it: an event
 *   being handled at the first look would re-watch the folder anyway.
 * Idle, a look costs a few stats and one small /proc read a second.
 */
export class ResyncGuard {
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  private looking = false;
  private stopped = false;
  private mounts: string | null = null;
  /** Whether the last look saw the mount table change. */
  private mountsMoved = false;
  /** Folders seen as other folders at the last look, with the watch entry then. */
  private suspects = new Map<string, WatchedFolder>();
  /** Watch events handed over since the loop last turned. */
  private batch = 0;
  private pendingFull: ResyncReason | null = null;
  private fullDetail: Record<string, unknown> = {};
  private fullRunning = false;

  constructor(
    private readonly target: GuardTarget,
    private readonly timings: GuardTimings = defaultTimings(),
  ) {}

  start(): void {
    this.mounts = readMounts();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Called for every watch event, before it is handled. */
  event(): void {
    if (this.batch++ > 0) return;
    // the check phase follows the poll phase that delivers the kernel's queue
    setImmediate(() => {
      const n = this.batch;
      this.batch = 0;
      if (n >= Math.max(1, Math.floor(this.timings.queueLimit / 2)))
        this.requestFull('overflow', { events: n, queueLimit: this.timings.queueLimit });
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.due = performance.now() + this.timings.everyMs;
    this.timer = setTimeout(() => this.tick(), this.timings.everyMs);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = null;
    const late = performance.now() - this.due;
    if (late >= this.timings.stallMs) this.requestFull('stall', { stoodStillSeconds: Math.round(late / 100) / 10 });
    else if (!this.looking) {
      this.looking = true;
      void this.look().finally(() => {
        this.looking = false;
      });
    }
    this.schedule();
  }

  /**
   * One resync of everything for overflows and stalls, run after the current turn of the
   * loop: an overflow and a stall of one incident make one resync (counted as the overflow).
   */
  private requestFull(reason: ResyncReason, detail: Record<string, unknown>): void {
    if (this.stopped) return;
    const queued = this.pendingFull !== null;
    if (!queued || reason === 'overflow') this.pendingFull = reason;
    this.fullDetail = { ...this.fullDetail, ...detail };
    if (!queued && !this.fullRunning) setTimeout(() => void this.runFull(), 0).unref();
  }

  private async runFull(): Promise<void> {
    if (this.fullRunning) return;
    this.fullRunning = true;
    try {
      while (this.pendingFull !== null && !this.stopped) {
        const reason = this.pendingFull;
        const detail = this.fullDetail;
        this.pendingFull = null;
        this.fullDetail = {};
        this.suspects.clear();
        this.target.resyncing(reason, [this.target.base], detail);
        await this.target.resync(this.target.base);
      }
    } finally {
      this.fullRunning = false;
    }
  }

  /** Compares watched folders with what is on disk now; resyncs those a second look confirms. */
  private async look(): Promise<void> {
    const mounts = readMounts();
    const moved = mounts !== this.mounts;
    this.mounts = mounts;
    const watched = this.target.watched();
    const toCheck: [string, WatchedFolder][] = [];
    for (const [dir, f] of watched) if (f.level < 3 || moved || this.suspects.has(dir)) toCheck.push([dir, f]);
    const changed = await otherFolders(toCheck);
    const movedRecently = moved || this.mountsMoved;
    this.mountsMoved = moved;
    if (this.stopped || this.pendingFull !== null || this.fullRunning) return;
    const confirmed: string[] = [];
    const next = new Map<string, WatchedFolder>();
    for (const [dir, f] of changed) {
      if (watched.get(dir) !== f) continue; // synced again meanwhile
      if (this.suspects.get(dir) === f) confirmed.push(dir);
      else next.set(dir, f);
    }
    this.suspects = next;
    if (confirmed.length === 0) return;
    const tops = confirmed.filter((d) => !confirmed.some((o) => o !== d && d.startsWith(o + path.sep)));
    this.target.resyncing(movedRecently ? 'remount' : 'replaced', tops, {});
    await Promise.all(tops.map((d) => this.target.resync(d)));
  }
}

/** The folders whose device or inode on disk is not the one watched (or that are gone). */
async function otherFolders(folders: readonly [string, WatchedFolder][]): Promise<[string, WatchedFolder][]> {
  const out: [string, WatchedFolder][] = [];
  for (let i = 0; i < folders.length; i += STAT_BATCH) {
    await Promise.all(
      folders.slice(i, i + STAT_BATCH).map(async ([dir, f]) => {
        try {
          const st = await stat(dir);
          if (st.dev !== f.dev || st.ino !== f.ino) out.push([dir, f]);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          // gone or no longer a folder; a permission error says nothing about which folder it is
          if (code === 'ENOENT' || code === 'ENOTDIR') out.push([dir, f]);
        }
      }),
    );
  }
  return out;
}

/** The mount table as this process sees it (null where /proc has none). */
function readMounts(): string | null {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return null;
  }
}

function readNumber(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}
