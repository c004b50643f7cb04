import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { fileKind } from '../fileKind.js';

/**
 * The most a config file may hold: `--config`, `--web.config.file` and the certificate, key
 * and CA files it names. A flags file is a few KiB, a certificate chain a few KiB, a full
 * CA bundle some 220 KiB, a thousand bcrypt users 70 KiB: 1 MiB fits them all with room,
 * and bounds what a file linked to /dev/zero or a runaway log could make the daemon hold.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ReadSmallFileOptions {
  /**
   * Also read a FIFO or pipe, blocking until its writer closes (`--config <(envsubst …)` at
   * start-up). Without, only a regular file is read.
   */
  readonly pipes?: boolean;
  readonly maxBytes?: number;
}

/** Why a config file was not read; the message names the file. */
export class SmallFileError extends Error {
  constructor(
    readonly file: string,
    /** `not_regular`: a FIFO, device, folder or socket; `too_large`; `unreadable`: the OS refused (code). */
    readonly problem: 'not_regular' | 'too_large' | 'unreadable',
    /** What the file is (`FIFO`, `character device`, …) or the OS error code. */
    readonly what: string,
    message: string,
  ) {
    super(message);
    this.name = 'SmallFileError';
  }
}

function unreadable(file: string, e: unknown): SmallFileError {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return new SmallFileError(file, 'unreadable', code, `cannot read ${file}: ${code}`);
}

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** Reads at most `max` + 1 bytes of `fd`, so that a longer file is seen to be too long. */
function readCapped(fd: number, file: string, max: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(64 * 1024, max + 1 - total));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    total += n;
    if (total > max) throw new SmallFileError(file, 'too_large', `${total}`, `${file} is larger than ${sizeText(max)}`);
  }
  return Buffer.concat(chunks, total);
}

/**
 * The one reader of config files. Only a regular file (or, with `pipes`, a FIFO) is read:
 * it is looked at before it is opened, so no device is ever opened, then opened with
 * O_NONBLOCK so that a FIFO swapped in meanwhile cannot block the open, and looked at again
 * through the open handle. At most `maxBytes` are read. Synchronous: a regular file of at
 * most 1 MiB is read in about a millisecond, and the callers (flag parsing, a reload) are.
 */
export function readSmallFileSync(file: string, opts: ReadSmallFileOptions = {}): Buffer {
  const max = opts.maxBytes ?? MAX_CONFIG_BYTES;
  const refuse = (st: Stats): SmallFileError => {
    const what = fileKind(st);
    return new SmallFileError(file, 'not_regular', what, `${file} is a ${what}, not a regular file`);
  };
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    throw unreadable(file, e);
  }
  const pipe = opts.pipes === true && st.isFIFO();
  if (!st.isFile() && !pipe) throw refuse(st);
  let fd: number;
  try {
    // a pipe given at start-up is read as before, blocking until its writer is done
    fd = openSync(file, pipe ? constants.O_RDONLY : constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw unreadable(file, e);
  }
  try {
    const now = fstatSync(fd);
    if (!now.isFile() && !(pipe && now.isFIFO())) throw refuse(now);
    return readCapped(fd, file, max);
  } catch (e) {
    throw e instanceof SmallFileError ? e : unreadable(file, e);
  } finally {
    closeSync(fd);
  }
}
