import { stat } from 'node:fs/promises';
import type { Logger } from '../log.js';
import type { SelfMetrics } from '../outputs/metrics/selfMetrics.js';

/** What live mode drives for one channel and quality (the daemon's quality checker). */
export interface LiveChecker {
  readonly channel: string;
  readonly quality: string;
  /** Whether the checker's periodic passes compare their results with the live state. */
  compareWithLive: boolean;
  /** Re-reads one hour soon (an event or a poll saw it change). */
  markDirty(hour: string): void;
  /** One full pass (cached); resolves when it is merged. */
  fullPass(shouldStop?: () => boolean): Promise<unknown>;
}

/** What live mode needs of the daemon. */
export interface LiveModeParts {
  readonly config: { readonly baseDir: string; readonly channels: readonly string[]; readonly qualities: readonly string[] };
  readonly log: Logger;
  readonly metrics: Pick<SelfMetrics, 'errors' | 'watcherDegraded' | 'liveResyncs'>;
  readonly checkers: readonly LiveChecker[];
  readonly stop: { readonly stopped: boolean };
}

/** What changes when anything in a folder's listing does, or the folder is replaced or its permissions change. */
export async function folderStamp(dir: string): Promise<string> {
  try {
    const st = await stat(dir);
    return `${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch (e) {
    return `error:${(e as NodeJS.ErrnoException).code ?? ''}`;
  }
}
