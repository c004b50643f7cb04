import { watch as fsWatch, type FSWatcher as NodeWatcher } from 'node:fs';
import type { StorePlace } from './storePaths.js';

/** What the watcher tells the daemon. */
export interface StoreEvents {
  /** Something changed in (or about) this hour folder: re-read it. */
  hourChanged(channel: string, quality: string, hour: string): void;
  /** A quality, channel (quality null) or the base folder (channel null) appeared, went or was replaced: re-read it whole. */
  qualityChanged(channel: string | null, quality: string | null): void;
  /** A folder that should be watched could not be (permission, inotify limit, watch error, missing base). */
  unwatched(dir: string, err: Error): void;
}

/** Opens a folder watch; injectable so tests can make it fail like an exhausted inotify. */
export type DirWatchFn = (dir: string, onName: (name: string | null) => void, onError: (e: Error) => void) => NodeWatcher;

export const defaultDirWatch: DirWatchFn = (dir, onName, onError) => {
  const w = fsWatch(dir, { persistent: false }, (_event, name) => onName(name === null ? null : String(name)));
  w.on('error', onError);
  return w;
};

/** Depth under the base: 0 base, 1 channel, 2 quality, 3 hour. */
export type Level = 0 | 1 | 2 | 3;

/** A folder with a watch open, and which folder it was when the watch was opened. */
export interface WatchedFolder {
  readonly level: Level;
  readonly place: StorePlace | null;
  readonly dev: number;
  readonly ino: number;
}

/** A folder that should be watched and is not, with what kept it from being watched. */
export interface UnwatchedFolder {
  readonly level: Level;
  readonly place: StorePlace | null;
  readonly err: Error;
}

/** A folder's sync under way: asked again meanwhile (`rerun`), and when it is done. */
export interface SyncState {
  rerun: boolean;
  notify: boolean;
  done: Promise<void>;
}

export interface Watched extends WatchedFolder {
  readonly watcher: NodeWatcher;
}
