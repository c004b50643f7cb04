import type { FSWatcher as NodeWatcher, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { mattersToCoverage, placeOf, type StorePlace } from './storePaths.js';
import { defaultDirWatch } from './watchEvents.js';
import type { DirWatchFn, Level, StoreEvents, SyncState, UnwatchedFolder, Watched, WatchedFolder } from './watchEvents.js';

export interface StoreWatcherOptions {
  readonly base: string;
  readonly channels: readonly string[];
  readonly qualities: readonly string[];
  readonly dirWatch?: DirWatchFn;
}

/**
 * Watches the store's four levels (base, channel, quality, hour folders), one plain folder
 * watch each: a year of hours is ~9,000 watches and no per-file memory. A folder is never
 * trusted: when its own watch or its parent's names it, its watch is opened anew (a
 * re-created folder may get the old inode number, and the old watch is dead). Each watch
 * keeps its folder's device and inode, so a mount over it can be found (ResyncGuard).
 * Not chokidar: it loses a quality folder removed and re-created (docs/dependencies.md).
 */
export class StoreWatcher {
  private readonly watches = new Map<string, Watched>();
  private readonly missed = new Map<string, UnwatchedFolder>();
  private readonly channels: ReadonlySet<string>;
  private readonly qualities: ReadonlySet<string>;
  private readonly dirWatch: DirWatchFn;
  private closed = false;
  /** Syncs in flight per folder: a second request while one runs re-runs it once after. */
  private readonly syncing = new Map<string, SyncState>();

  constructor(
    private readonly opts: StoreWatcherOptions,
    private readonly events: StoreEvents,
  ) {
    this.channels = new Set(opts.channels);
    this.qualities = new Set(opts.qualities);
    this.dirWatch = opts.dirWatch ?? defaultDirWatch;
  }

  /** Hour folders with a watch open. */
  get watchedHours(): number {
    return [...this.watches.values()].filter((w) => w.level === 3).length;
  }

  /** Folders with a watch open; an entry is replaced whenever its folder is synced again. */
  get watched(): ReadonlyMap<string, WatchedFolder> {
    return this.watches;
  }

  /** Folders that should be watched and are not (empty when everything is watched). */
  get unwatched(): ReadonlyMap<string, UnwatchedFolder> {
    return this.missed;
  }

  /** Watches the whole tree; resolves once every folder present has been visited. */
  async start(): Promise<void> {
    await this.sync(this.opts.base, 0, null, false);
  }

  /** Tries every unwatched folder again; each is re-read once it is watched (or gone). */
  async retry(): Promise<void> {
    const dirs = [...this.missed.entries()];
    await Promise.all(
      dirs.map(async ([dir, u]) => {
        await this.sync(dir, u.level, u.place, false);
        if (!this.missed.has(dir) && !this.closed) this.tell(u.level, u.place);
      }),
    );
  }

  /**
   * Syncs a folder again as if its watch had reported it changed (the whole tree for the
   * base), and tells the daemon to re-read it: for events that may have been missed.
   */
  async resync(dir: string): Promise<void> {
    if (dir === this.opts.base) return this.sync(dir, 0, null, true);
    const known = this.watches.get(dir) ?? this.missed.get(dir);
    if (known !== undefined) await this.sync(dir, known.level, known.place, true);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watches.values()) w.watcher.close();
    this.watches.clear();
    this.missed.clear();
  }

  /** Brings a folder's watch (and its children's, above hours) in line with the disk; syncs asked meanwhile run once more. */
  private sync(dir: string, level: Level, place: StorePlace | null, notify: boolean): Promise<void> {
    const running = this.syncing.get(dir);
    if (running !== undefined) {
      running.rerun = true;
      running.notify ||= notify;
      return running.done; // the re-run asked for: a parent must not report before it is done
    }
    const state: SyncState = { rerun: false, notify, done: Promise.resolve() };
    this.syncing.set(dir, state);
    state.done = this.runSync(dir, level, place, state);
    return state.done;
  }

  private async runSync(dir: string, level: Level, place: StorePlace | null, state: SyncState): Promise<void> {
    try {
      do {
        state.rerun = false;
        const n = state.notify;
        state.notify = false;
        await this.syncOnce(dir, level, place);
        if (n && !this.closed) this.tell(level, place);
      } while (state.rerun && !this.closed);
    } finally {
      this.syncing.delete(dir);
    }
  }

  private tell(level: Level, place: StorePlace | null): void {
    if (level === 3 && place?.level === 'hour') this.events.hourChanged(place.channel, place.quality, place.hour);
    else if (level === 2 && place?.level === 'quality') this.events.qualityChanged(place.channel, place.quality);
    else if (level === 1 && place?.level === 'channel') this.events.qualityChanged(place.channel, null);
    else if (level === 0) this.events.qualityChanged(null, null);
  }

  private async syncOnce(dir: string, level: Level, place: StorePlace | null): Promise<void> {
    if (this.closed) return;
    // Never trust an open watch: it may belong to a folder that was removed and re-made.
    this.unwatch(dir);
    this.missed.delete(dir);
    let st: Stats;
    try {
      st = await stat(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Gone, or not a folder (a dangling link, a loop): nothing to watch. A missing base is
      // still missed: nothing above it is watched to tell when it comes back.
      if (level === 0 || !(code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP')) this.miss(dir, level, place, e);
      this.unwatchBelow(dir);
      return;
    }
    if (this.closed) return;
    if (!st.isDirectory()) {
      if (level === 0) this.miss(dir, level, place, Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' }));
      this.unwatchBelow(dir);
      return;
    }
    try {
      const watcher = this.dirWatch(
        dir,
        (name) => this.onName(dir, level, place, name, watcher),
        (e) => this.onWatchError(dir, level, place, e, watcher),
      );
      this.watches.set(dir, { watcher, level, place, dev: st.dev, ino: st.ino });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return void this.unwatchBelow(dir);
      this.miss(dir, level, place, e);
      // An unwatchable channel or quality is still listed, so its hours get what watching they can.
    }
    if (level < 3) await this.syncChildren(dir, level);
  }

  /** Lists a base, channel or quality folder and syncs every child segcov watches; drops watches of children gone. */
  private async syncChildren(dir: string, level: Level): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!(code === 'ENOENT' || code === 'ENOTDIR')) this.miss(dir, level, placeOf(this.opts.base, dir, this.channels, this.qualities), e);
      this.unwatchBelow(dir);
      return;
    }
    if (this.closed) return;
    const present = new Set<string>();
    const jobs: Promise<void>[] = [];
    for (const name of names) {
      const child = path.join(dir, name);
      const place = this.placeToWatch(child);
      if (place === null) continue;
      present.add(child);
      jobs.push(this.sync(child, (level + 1) as Level, place, false));
    }
    for (const known of [...this.watches.keys(), ...this.missed.keys()]) {
      if (path.dirname(known) === dir && !present.has(known)) {
        this.unwatch(known);
        this.missed.delete(known);
        this.unwatchBelow(known);
      }
    }
    await Promise.all(jobs);
  }

  /** A name reported by the watch of `dir`. */
  private onName(dir: string, level: Level, place: StorePlace | null, name: string | null, watcher: NodeWatcher): void {
    if (this.closed || this.watches.get(dir)?.watcher !== watcher) return;
    if (name === null) {
      void this.sync(dir, level, place, true);
      return;
    }
    const base = path.basename(name);
    // The folder itself removed, renamed or changed (the kernel reports it under its own
    // name): re-sync it. A child may share the name, so that is synced too.
    if (base === path.basename(dir)) void this.sync(dir, level, place, true);
    if (level === 3) {
      if (mattersToCoverage(base) && place?.level === 'hour') this.events.hourChanged(place.channel, place.quality, place.hour);
      return;
    }
    const child = path.join(dir, base);
    const childPlace = this.placeToWatch(child);
    if (childPlace !== null) void this.sync(child, (level + 1) as Level, childPlace, true);
  }

  private onWatchError(dir: string, level: Level, place: StorePlace | null, e: Error, watcher: NodeWatcher): void {
    if (this.closed || this.watches.get(dir)?.watcher !== watcher) return;
    this.unwatch(dir);
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') this.miss(dir, level, place, e);
    void this.sync(dir, level, place, true);
  }

  /** Where a child path sits, when it is one segcov watches (every hour: all are read). */
  private placeToWatch(p: string): StorePlace | null {
    const place = placeOf(this.opts.base, p, this.channels, this.qualities);
    return place === null || place.level === 'segment' ? null : place;
  }

  private miss(dir: string, level: Level, place: StorePlace | null, e: unknown): void {
    if (this.closed) return;
    const err = e instanceof Error ? e : new Error(String(e));
    const known = this.missed.has(dir);
    this.missed.set(dir, { level, place, err });
    if (!known) this.events.unwatched(dir, err);
  }

  private unwatch(dir: string): void {
    this.watches.get(dir)?.watcher.close();
    this.watches.delete(dir);
  }

  /** Closes every watch (and forgets every miss) strictly below `dir`. */
  private unwatchBelow(dir: string): void {
    const prefix = dir + path.sep;
    for (const d of [...this.watches.keys()]) if (d.startsWith(prefix)) this.unwatch(d);
    for (const d of [...this.missed.keys()]) if (d.startsWith(prefix)) this.missed.delete(d);
  }
}
