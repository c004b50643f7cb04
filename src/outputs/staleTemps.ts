import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { TEMP_NAME } from './atomicWrite.js';

/** Whether process `pid` exists (EPERM: it does, under another user). */
function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files a killed write left in `dir`: only regular files named as
 * writeFileAtomic names them (`.NAME.PID.HEX.tmp`), only when process PID is gone, and
 * with `onlyFor`, only those of that one target name. Returns the names removed.
 */
export async function removeStaleTemps(dir: string, onlyFor?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return []; // no folder yet (or unreadable: the writes will say so)
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null || (onlyFor !== undefined && m[1] !== onlyFor)) continue;
    const pid = Number(m[2]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pidAlive(pid)) continue;
    const file = path.join(dir, name);
    const st = await lstat(file).catch(() => null);
    if (st === null || !st.isFile()) continue;
    await rm(file, { force: true });
    removed.push(name);
  }
  return removed;
}
