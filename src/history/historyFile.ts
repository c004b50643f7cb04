import { constants } from 'node:fs';
import { lstat, open, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ensureDir, writeFileAtomic } from '../outputs/files/atomicWrite.js';
import { foldHistory, parseHistory, type HistoryState } from './historyRecords.js';

/** The hole history's file name in the output folder. */
export const HISTORY_FILE = 'segcov-history.jsonl';
/** A history file larger than this is not read but set aside (compaction keeps it far smaller). */
const READ_CAP_BYTES = 64 * 1024 * 1024;

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** What reading the file found. */
export interface LoadedHistory {
  readonly state: HistoryState;
  /** A file was there and read (false: none yet, or it was set aside). */
  readonly found: boolean;
  /** Its last record was torn (a write cut short): ignored. */
  readonly torn: boolean;
  /** Bytes read. */
  readonly bytes: number;
  /** Where a corrupt file was moved, and why. */
  readonly setAside: { readonly to: string; readonly why: string } | null;
}

const EMPTY: HistoryState = { incidents: new Map(), lastAt: null };

/**
 * Reads `file` for what its records say. Opened without following a link and without
 * blocking (a FIFO planted there cannot hang the start). A file that is not a regular
 * one, too large, or has a line that is not a record (other than a torn last one) is
 * renamed aside (`NAME.corrupt-STAMP`, never deleted) and the history starts afresh.
 * Read-only callers (`segcov report`) pass `setAside: false`: the file is then left as it is.
 */
export async function readHistoryFile(
  file: string,
  nowMs: number,
  opts: { setAside: boolean } = { setAside: true },
): Promise<LoadedHistory> {
  let why: string | null = null;
  let text = '';
  let fh: FileHandle | null = null;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile()) why = 'not a regular file';
    else if (st.size > READ_CAP_BYTES) why = `larger than ${READ_CAP_BYTES} bytes`;
    else text = await fh.readFile('utf8');
  } catch (e) {
    if (code(e) === 'ENOENT') return { state: EMPTY, found: false, torn: false, bytes: 0, setAside: null };
    why = code(e) === 'ELOOP' ? 'a symlink' : `unreadable (${code(e) ?? String(e)})`;
  } finally {
    await fh?.close();
  }
  if (why === null) {
    const parsed = parseHistory(text);
    if (parsed.badLine === null) {
      return { state: foldHistory(parsed.records), found: true, torn: parsed.torn, bytes: Buffer.byteLength(text), setAside: null };
    }
    why = `line ${parsed.badLine} is not a history record`;
  }
  if (!opts.setAside) throw new Error(`${file}: ${why}`);
  return { state: EMPTY, found: false, torn: false, bytes: 0, setAside: { to: await setAside(file, nowMs), why } };
}

/** Renames `file` to a free `FILE.corrupt-YYYYMMDDTHHMMSSZ[-N]` beside it; returns the new path. */
async function setAside(file: string, nowMs: number): Promise<string> {
  const stamp = new Date(nowMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  for (let n = 0; ; n++) {
    const to = `${file}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}`;
    const taken = await lstat(to).then(
      () => true,
      (e: unknown) => (code(e) === 'ENOENT' ? false : Promise.reject(e)),
    );
    if (!taken) {
      await rename(file, to);
      return to;
    }
  }
}

/**
 * The history file, written by appending. Each record is one `write` call on a file opened
 * O_APPEND (so a record is never interleaved with another), and every batch of records is
 * followed by `fdatasync` before the next batch starts: a record acknowledged is on disk.
 * Rewrites (compaction, or after a failed write) go through writeFileAtomic (a temp file
 * renamed over the old one; a link there is replaced, not followed) and reopen the file.
 */
export class HistoryFile {
  private fh: FileHandle | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** Bytes in the file as written by this process. */
  bytes = 0;

  constructor(readonly file: string) {}

  static inDir(dir: string): HistoryFile {
    return new HistoryFile(path.join(dir, HISTORY_FILE));
  }

  /** Appends the lines (each a whole record with its newline), after whatever is queued. */
  append(lines: readonly string[]): Promise<void> {
    return this.enqueue(async () => {
      const fh = await this.handle();
      for (const line of lines) {
        const buf = Buffer.from(line);
        const { bytesWritten } = await fh.write(buf, 0, buf.length);
        this.bytes += bytesWritten;
        if (bytesWritten !== buf.length) throw new Error(`short write (${bytesWritten} of ${buf.length} bytes)`);
      }
      await fh.datasync();
    });
  }

  /** Replaces the whole file with `text` (atomically), after whatever is queued. */
  rewrite(text: string): Promise<void> {
    return this.enqueue(async () => {
      await this.closeHandle();
      await writeFileAtomic(this.file, text);
      this.bytes = Buffer.byteLength(text);
    });
  }

  /** Waits for the queue, then closes the file. */
  close(): Promise<void> {
    return this.enqueue(() => this.closeHandle());
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async handle(): Promise<FileHandle> {
    if (this.fh !== null) return this.fh;
    // the output folder is made by the first write into it, as for the maps
    await ensureDir(path.dirname(this.file));
    const fh = await open(
      this.file,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      0o644,
    );
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new Error(`${this.file} is not a regular file: not written`);
    }
    this.bytes = st.size;
    this.fh = fh;
    return fh;
  }

  private async closeHandle(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }
}
