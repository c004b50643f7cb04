import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileKind } from '../../fileKind.js';
import { ownStartToken } from './processStart.js';

/**
 * What a write target is, following symlinks:
 * - `absent`: nothing there yet (a temp file is renamed into place);
 * - `file`: a regular file, at `real` once symlinks are resolved (renamed over);
 * - `stream`: a character device or FIFO such as /dev/null or /dev/stdout (only ever
 *   written in place, never renamed over);
 * - `other`: anything else — a folder, socket, block device, dangling symlink or
 *   symlink loop; `what` says which. Never written.
 */
export type WriteTarget =
  | { readonly kind: 'absent'; readonly real: string }
  | { readonly kind: 'file'; readonly real: string }
  | { readonly kind: 'stream'; readonly real: string; readonly what: string }
  | { readonly kind: 'other'; readonly real: string; readonly what: string };

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/**
 * Looks at `target` without opening it. With `follow`, a symlink to a regular file
 * resolves to that file (`real`); without, `real` is the link itself, to be replaced.
 */
export async function inspectTarget(target: string, follow = true): Promise<WriteTarget> {
  const abs = path.resolve(target);
  let st: import('node:fs').Stats;
  try {
    // stat follows symlinks, also /proc's magic links such as /dev/stdout → pipe:[N]
    st = await stat(abs);
  } catch (e) {
    if (code(e) === 'ELOOP') return { kind: 'other', real: abs, what: 'symlink loop' };
    if (code(e) !== 'ENOENT') throw e;
    const link = await lstat(abs).catch(() => null);
    if (link?.isSymbolicLink() && follow) return { kind: 'other', real: abs, what: 'symlink to nothing' };
    return { kind: 'absent', real: abs };
  }
  if (st.isFile()) return { kind: 'file', real: follow ? await realpath(abs) : abs };
  const what = fileKind(st);
  if (st.isCharacterDevice() || st.isFIFO()) return { kind: 'stream', real: abs, what };
  return { kind: 'other', real: abs, what };
}

/** Thrown instead of writing over a target that is not a regular file. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly target: string,
    readonly what: string,
  ) {
    super(`${target} is a ${what}, not a regular file: not written`);
    this.name = 'NotRegularFileError';
  }
}

/**
 * Creates `dir` and its missing parents. Not `mkdir({ recursive: true })`: under /proc
 * that spins a CPU forever (Node 20), where this fails with ENOENT after one try a level.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (e) {
    if (code(e) === 'EEXIST') {
      if (!(await stat(dir)).isDirectory()) throw new NotRegularFileError(dir, 'file, not a folder');
      return;
    }
    const parent = path.dirname(dir);
    if (code(e) !== 'ENOENT' || parent === dir) throw e;
  }
  await ensureDir(path.dirname(dir));
  await mkdir(dir).catch((e: unknown) => {
    if (code(e) !== 'EEXIST') throw e;
  });
}

/**
 * The hidden temporary name a write to `target` uses: `.NAME.PID-START.HEX.tmp` beside it,
 * START being the writer's start token (ownStartToken), so a PID reused by a later process
 * does not make a dead writer's temp look alive.
 */
export function tempNameFor(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}-${ownStartToken()}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/**
 * Matches tempNameFor's names: the target's name, the writer's pid and start token (absent
 * in the `.NAME.PID.HEX.tmp` names of segcov before the token).
 */
export const TEMP_NAME = /^\.(.+)\.(\d+)(?:-([0-9a-z]+))?\.[0-9a-f]{8}\.tmp$/;

export interface AtomicWriteOptions {
  /** File mode of a newly written file (default 0o644). */
  readonly mode?: number;
  /** Write a character device or FIFO target in place instead of refusing it. */
  readonly inPlace?: boolean;
  /** How long an in-place write may wait for a slow reader (default 10 s). */
  readonly inPlaceTimeoutMs?: number;
  /**
   * Follow a symlink to a regular file and replace that file (a user-given path such as
   * --textfile). Without (maps, page), such a link is itself replaced: a link planted in
   * the output folder cannot lead a write out of it.
   */
  readonly followSymlinks?: boolean;
}

/**
 * Writes `data` to a hidden temporary name in the target's folder and renames it over
 * the target, so a reader sees the old file or the new one, never a partial one.
 *
 * The target is looked at first and never renamed over unless it is a regular file (or
 * absent): a device, FIFO, socket or folder — or a symlink to one — is refused with a
 * NotRegularFileError, or, with `inPlace`, a character device or FIFO is written in
 * place without blocking. A symlink to a regular file is replaced, or with
 * `followSymlinks` the file it points to is.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const t = await inspectTarget(target, opts.followSymlinks === true);
  if (t.kind === 'stream' && opts.inPlace === true) return writeInPlace(t.real, data, opts.inPlaceTimeoutMs);
  if (t.kind === 'stream' || t.kind === 'other') throw new NotRegularFileError(target, t.what);
  await ensureDir(path.dirname(t.real));
  const tmp = tempNameFor(t.real);
  try {
    // O_EXCL: never opens anything already there (a FIFO planted under the temp name cannot block)
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, opts.mode ?? 0o644);
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
    // looked at again just before the rename: it may have been replaced meanwhile
    const now = await stat(t.real).catch((e: unknown) => (code(e) === 'ENOENT' || code(e) === 'ELOOP' ? null : Promise.reject(e)));
    if (now !== null && !now.isFile()) throw new NotRegularFileError(target, fileKind(now));
    await rename(tmp, t.real);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes `data` into an existing character device or FIFO, opened non-blocking: a FIFO
 * without a reader fails at once (ENXIO), a reader too slow to take it all within
 * `timeoutMs` fails then. Nothing ever waits in the thread pool.
 */
export async function writeInPlace(file: string, data: string | Uint8Array, timeoutMs = 10_000): Promise<void> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  const fh: FileHandle = await open(file, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = await fh.stat();
    if (!st.isCharacterDevice() && !st.isFIFO()) throw new NotRegularFileError(file, `${fileKind(st)} (changed while opening)`);
    const deadline = Date.now() + timeoutMs;
    let done = 0;
    while (done < buf.length) {
      try {
        done += (await fh.write(buf, done, buf.length - done)).bytesWritten;
      } catch (e) {
        if (code(e) !== 'EAGAIN') throw e;
        if (Date.now() > deadline) throw new Error(`${file}: reader took less than ${done} of ${buf.length} bytes in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } finally {
    await fh.close();
  }
}

/**
 * Removes `file` if it is a regular file or a symlink; anything else there (a device,
 * FIFO, folder) is left alone and reported.
 */
export async function removeFile(file: string): Promise<void> {
  const st = await lstat(file).catch((e: unknown) => (code(e) === 'ENOENT' ? null : Promise.reject(e)));
  if (st === null) return;
  if (!st.isFile() && !st.isSymbolicLink()) throw new NotRegularFileError(file, fileKind(st));
  await rm(file, { force: true });
}
