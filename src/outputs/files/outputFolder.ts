import { constants, existsSync } from 'node:fs';
import { lstat, mkdir, open, readlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ensureDir } from './atomicWrite.js';

/**
 * The output folder as an anchor that is followed (a path the operator chose) and the
 * names below it that never are: every folder from `--base-dir` down when the output
 * folder lies inside the store (whoever writes the store could have made any of them a
 * link), else the output folder itself.
 */
export function outputDirSteps(dir: string, baseDir: string): { readonly anchor: string; readonly names: readonly string[] } {
  const abs = path.resolve(dir);
  const base = path.resolve(baseDir);
  const rel = path.relative(base, abs);
  const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  if (inside) return { anchor: base, names: rel.split(path.sep) };
  return { anchor: path.dirname(abs), names: abs === path.dirname(abs) ? [] : [path.basename(abs)] };
}

/**
 * Why `--output-dir` is refused for being reached through a symlink, or null: the output
 * folder itself, or a folder between `--base-dir` and it, is a link. Root hands the output
 * folder to `--user` and, without `--user`, writes maps in it: a link there would make root
 * give away, or write into, any folder on the host.
 */
export async function outputDirLinkProblem(dir: string, baseDir: string): Promise<string | null> {
  const { anchor, names } = outputDirSteps(dir, baseDir);
  let at = anchor;
  for (const name of names) {
    at = path.join(at, name);
    const st = await lstat(at).catch(() => null);
    if (st === null) return null; // made later, as a real folder
    if (st.isSymbolicLink()) {
      const to = await readlink(at).catch(() => '?');
      return `${at} is a symlink (to ${to}); segcov does not follow links to its output folder: give the real path`;
    }
  }
  return null;
}

/** Thrown when a folder on the way to the output folder is a link or not a folder. */
export class OutputDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputDirError';
  }
}

const PROC_FD = '/proc/self/fd';

/**
 * Opens the output folder without following a link below the anchor, creating missing
 * folders with `create`. Each step is opened relative to the one before through
 * /proc/self/fd (Node has no openat), so a link swapped in after the start-up check is
 * refused (ELOOP) rather than followed. The caller closes the handle.
 */
export async function openOutputDir(dir: string, baseDir: string, create: boolean): Promise<FileHandle> {
  const { anchor, names } = outputDirSteps(dir, baseDir);
  if (create) await ensureDir(anchor); // not mkdir({recursive}): it spins forever under /proc
  const viaFd = existsSync(PROC_FD);
  let shown = anchor;
  let fh = await open(anchor, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    for (const name of names) {
      shown = path.join(shown, name);
      const at = viaFd ? `${PROC_FD}/${fh.fd}/${name}` : shown;
      if (create) {
        await mkdir(at).catch((e: unknown) => {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        });
      }
      const next = await open(at, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW).catch(async (e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code;
        // a link is ELOOP, or ENOTDIR where O_DIRECTORY is checked first (Linux)
        const link = code === 'ELOOP' || (code === 'ENOTDIR' && (await lstat(at).catch(() => null))?.isSymbolicLink() === true);
        if (link) throw new OutputDirError(`${shown} is a symlink: not followed`);
        if (code === 'ENOTDIR') throw new OutputDirError(`${shown} is not a folder`);
        throw e;
      });
      await fh.close();
      fh = next;
    }
    return fh;
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
}
