import { watch as fsWatch, type FSWatcher as NodeWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { parseHourName } from '../store/hourName.js';
import { mattersToCoverage, placeOf } from './storePaths.js';

/** What the watcher tells the daemon. */
export interface StoreEvents {
  /** Something changed in (or about) this hour folder: re-read it. */
  hourChanged(channel: string, quality: string, hour: string): void;
  /** A quality or channel folder appeared or went: re-read that quality whole. */
  qualityChanged(channel: string, quality: string | null): void;
  /** Watching failed (e.g. the OS refuses more inotify watches); the daemon degrades. */
  failed(err: Error): void;
}

/** Opens a folder watch; injectable so tests can make it fail like an exhausted inotify. */
export type DirWatchFn = (dir: string, onName: (name: string | null) => void, onError: (e: Error) => void) => NodeWatcher;

const defaultDirWatch: DirWatchFn = (dir, onName, onError) => {
  const w = fsWatch(dir, { persistent: false }, (_event, name) => onName(name === null ? null : String(name)));
  w.on('error', onError);
  return w;
};

export interface StoreWatcherOptions {
  readonly base: string;
  readonly channels: readonly string[];
  readonly qualities: readonly string[];
  /** Hours outside [firstHour, lastHour] (µs) are not watched. */
  readonly firstHour?: number;
  readonly lastHour?: number;
  readonly dirWatch?: DirWatchFn;
}

/**
 * Watches the store's structure with chokidar (channel, quality and hour folders: a few
 * hundred entries) and each hour folder's files with one plain folder watch (the same
 * inotify watch chokidar would open, without chokidar keeping every file name in memory:
 * a year of segments would not fit the memory budget that way).
 */
export class StoreWatcher {
  private chokidar: FSWatcher | null = null;
  private readonly hourWatches = new Map<string, { watcher: NodeWatcher; ino: number }>();
  private readonly channels: ReadonlySet<string>;
  private readonly qualities: ReadonlySet<string>;
  private readonly dirWatch: DirWatchFn;
  private ready = false;
  private failedOnce = false;
  /** Ends a start() still waiting for 'ready' when watching fails first. */
  private settleStart: (() => void) | null = null;

  constructor(private readonly opts: StoreWatcherOptions, private readonly events: StoreEvents) {
    this.channels = new Set(opts.channels);
    this.qualities = new Set(opts.qualities);
    this.dirWatch = opts.dirWatch ?? defaultDirWatch;
  }

  /** Hour folders with a file watch open. */
  get watchedHours(): number {
    return this.hourWatches.size;
  }

  /** Starts watching; resolves once the initial folder tree is known. */
  start(): Promise<void> {
    const { base } = this.opts;
    const w = chokidar.watch(base, {
      depth: 2,
      ignoreInitial: false,
      persistent: true,
      followSymlinks: true,
      ignored: (p: string) => p !== base && placeOf(base, p, this.channels, this.qualities) === null,
    });
    this.chokidar = w;
    w.on('addDir', (p) => this.onDir(p));
    w.on('unlinkDir', (p) => this.onDir(p));
    w.on('raw', (_event, name, details) => this.onRaw(String(name ?? ''), (details as { watchedPath?: string } | undefined)?.watchedPath));
    w.on('error', (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    return new Promise((resolve) => {
      this.settleStart = resolve;
      w.once('ready', () => { this.ready = true; resolve(); });
    });
  }

  async close(): Promise<void> {
    for (const hw of this.hourWatches.values()) hw.watcher.close();
    this.hourWatches.clear();
    await this.chokidar?.close();
    this.chokidar = null;
  }

  private onDir(p: string): void {
    const place = placeOf(this.opts.base, p, this.channels, this.qualities);
    if (place === null) return;
    if (place.level === 'hour') void this.syncHour(p, place.channel, place.quality, place.hour, place.start, this.ready);
    else if (this.ready) this.events.qualityChanged(place.channel, place.level === 'quality' ? place.quality : null);
  }

  /** chokidar's raw events on a quality folder: an hour folder made, removed or replaced. */
  private onRaw(name: string, watchedPath: string | undefined): void {
    if (watchedPath === undefined || name === '') return;
    const quality = placeOf(this.opts.base, watchedPath, this.channels, this.qualities);
    if (quality?.level !== 'quality') return;
    const p = path.join(watchedPath, path.basename(name));
    const place = placeOf(this.opts.base, p, this.channels, this.qualities);
    if (place?.level === 'hour') void this.syncHour(p, place.channel, place.quality, place.hour, place.start);
  }

  /**
   * Brings the watch of one hour folder in line with the disk: opened when the folder is
   * there, reopened when it was replaced (a removed and re-made folder is a new inode that
   * the old watch never sees), closed when it is gone. Then the hour is re-read.
   */
  private async syncHour(dir: string, channel: string, quality: string, hour: string, start: number, notify = true): Promise<void> {
    const { firstHour, lastHour } = this.opts;
    if ((firstHour !== undefined && start < firstHour) || (lastHour !== undefined && start > lastHour)) return;
    let ino: number | null = null;
    try {
      const st = await stat(dir);
      if (st.isDirectory()) ino = st.ino;
    } catch { /* gone */ }
    const held = this.hourWatches.get(dir);
    if (held !== undefined && held.ino !== ino) this.unwatchHour(dir);
    if (ino !== null && !this.hourWatches.has(dir)) this.watchHour(dir, ino, channel, quality, hour);
    if (notify) this.events.hourChanged(channel, quality, hour);
  }

  private watchHour(dir: string, ino: number, channel: string, quality: string, hour: string): void {
    if (this.failedOnce) return;
    try {
      const watcher = this.dirWatch(
        dir,
        (name) => {
          if (name === hour) void this.syncHour(dir, channel, quality, hour, parseHourStart(hour));
          else if (name === null || mattersToCoverage(name)) this.events.hourChanged(channel, quality, hour);
        },
        (e) => {
          this.unwatchHour(dir);
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.fail(e);
        },
      );
      this.hourWatches.set(dir, { watcher, ino });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return;
      this.fail(err);
    }
  }

  private unwatchHour(dir: string): void {
    this.hourWatches.get(dir)?.watcher.close();
    this.hourWatches.delete(dir);
  }

  /** The first failure is reported; watching stops (the daemon falls back to polling). */
  private fail(e: Error): void {
    if (this.failedOnce) return;
    this.failedOnce = true;
    this.events.failed(e);
    this.settleStart?.();
    void this.close();
  }
}

function parseHourStart(hour: string): number {
  return parseHourName(hour) ?? 0;
}
