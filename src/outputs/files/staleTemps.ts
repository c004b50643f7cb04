import { existsSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { TEMP_NAME } from './atomicWrite.js';
import { ownStartToken, processStartTicks } from './processStart.js';

/**
 * Whether the writer of a temp, process `pid` started at `start` (its token; undefined in
 * names written before tokens), still runs. Our own PID or one of our threads' ids is never
 * an earlier writer still alive: in a container every start gets the same PIDs. Another
 * PID is alive when /proc gives it the same start time; without /proc, when it exists
 * (EPERM: under another user).
 */
function writerAlive(pid: number, start: string | undefined): boolean {
  if (pid === process.pid) return start === ownStartToken();
  if (existsSync(`/proc/self/task/${pid}`)) return false;
  const ticks = start === undefined ? 'unknown' : processStartTicks(pid);
  if (ticks === 'gone') return false;
  if (ticks !== 'unknown') return ticks === start;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files a killed write left in `dir`: only regular files named as
 * writeFileAtomic names them (`.NAME.PID-START.HEX.tmp`), only when their writer is gone, and
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
    if (!Number.isSafeInteger(pid) || pid <= 0 || writerAlive(pid, m[3])) continue;
    const file = path.join(dir, name);
    const st = await lstat(file).catch(() => null);
    if (st === null || !st.isFile()) continue;
    await rm(file, { force: true });
    removed.push(name);
  }
  return removed;
}
