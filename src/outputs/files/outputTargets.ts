import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { inspectTarget } from './atomicWrite.js';

/** statfs(2) magic numbers of kernel file systems no output can live in. */
const KERNEL_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x27e0eb, 'cgroupfs'],
  [0x63677270, 'cgroup2fs'],
]);

/** The nearest folder of `dir` (itself or a parent) that exists, with what it is. */
async function nearestExisting(dir: string): Promise<{ path: string; isDir: boolean }> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      return { path: d, isDir: (await stat(d)).isDirectory() };
    } catch (e) {
      if (path.dirname(d) === d) throw e;
    }
  }
}

/** Why files cannot be written in folder `dir` (created if missing), or null. */
async function folderProblem(dir: string): Promise<string | null> {
  const near = await nearestExisting(dir);
  if (!near.isDir) return `${near.path} is not a folder`;
  const fs = KERNEL_FS.get(Number((await statfs(near.path)).type));
  if (fs !== undefined) return `${dir} is on ${fs}, where no file can be written`;
  return null;
}

/**
 * Why `--textfile FILE` cannot work, or null. A regular file or a new name is written
 * atomically; a character device or FIFO (/dev/stdout, /dev/null) in place; anything
 * else (a folder, socket, block device, broken symlink) is refused at start-up.
 */
export async function textfileProblem(file: string): Promise<string | null> {
  const t = await inspectTarget(file);
  if (t.kind === 'stream') return null;
  if (t.kind === 'other') return `${file} is a ${t.what}; give a regular file, a FIFO or a character device`;
  return folderProblem(path.dirname(t.real));
}

/** Why `--output-dir DIR` cannot hold maps and pages, or null. */
export async function outputDirProblem(dir: string): Promise<string | null> {
  const t = await inspectTarget(dir);
  if (t.kind === 'absent') return folderProblem(dir);
  if (t.kind === 'file') return `${dir} is a file, not a folder`;
  if (t.what !== 'folder') return `${dir} is a ${t.what}, not a folder`;
  return folderProblem(dir);
}
