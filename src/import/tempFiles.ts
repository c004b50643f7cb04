import { unlinkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';

/**
 * Temporary files the import is writing right now. If the process is interrupted they
 * are removed on the way out, so nothing half-written outlives the run (and since their
 * names start with `.`, the daemon never counts one even while it exists).
 */
const live = new Set<string>();
let hooked = false;

export function trackTemp(file: string): void {
  live.add(file);
  if (!hooked) {
    hooked = true;
    process.once('exit', removeAllSync);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        removeAllSync();
        process.exit(sig === 'SIGINT' ? 130 : 143);
      });
    }
  }
}

/** Removes a temp file (missing is fine) and stops tracking it. */
export async function dropTemp(file: string): Promise<void> {
  live.delete(file);
  await unlink(file).catch(() => undefined);
}

/** Stops tracking a temp file that has been renamed into place. */
export function untrackTemp(file: string): void {
  live.delete(file);
}

function removeAllSync(): void {
  for (const f of live) {
    try {
      unlinkSync(f);
    } catch {
      /* already gone */
    }
  }
  live.clear();
}
