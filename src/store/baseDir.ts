import { opendir, readdir, stat } from 'node:fs/promises';

/** What a configured base folder is, as far as reading it goes. */
export type BaseDirState =
  | { readonly kind: 'ok' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not_a_folder' }
  | { readonly kind: 'unreadable'; readonly code: string };

/**
 * Whether `dir` can be read as a store's base. A folder that exists but may not be listed
 * (EACCES, a symlink loop) is `unreadable`, never `missing`: only ENOENT means "not there yet".
 */
export async function probeBaseDir(dir: string): Promise<BaseDirState> {
  try {
    if (!(await stat(dir)).isDirectory()) return { kind: 'not_a_folder' };
    // stat succeeds on a folder its user may not list: open it to know
    await (await opendir(dir)).close();
    return { kind: 'ok' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') return { kind: 'not_a_folder' };
    return { kind: 'unreadable', code };
  }
}

/** Names of the errors a base most often cannot be read for. */
const ERROR_TEXT: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'symlink loop',
  EIO: 'I/O error',
};

/** `cannot be read (EACCES: permission denied)`, for a log line or a usage error. */
export function unreadableText(code: string): string {
  const text = ERROR_TEXT[code];
  return `cannot be read (${text === undefined ? code : `${code}: ${text}`})`;
}

/** How many existing channel names a warning lists at most. */
const LISTED = 20;

/**
 * The configured channels that have no folder under `base`, with the channel folders that
 * are there (hidden names and `skip` left out, at most 20 listed): a typo or a stray space
 * in a list (`--qualities source, 480p` makes `480p` a channel) shows at once. Null when
 * every channel has its folder or the base cannot be listed (that is reported on its own).
 */
export async function missingChannels(
  base: string,
  channels: readonly string[],
  skip: ReadonlySet<string> = new Set(),
): Promise<{ missing: string[]; present: string[]; more: number } | null> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(base, { withFileTypes: true });
  } catch {
    return null;
  }
  const folders = entries
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.') && !skip.has(e.name))
    .map((e) => e.name)
    .sort();
  const have = new Set(folders);
  const missing = channels.filter((c) => !have.has(c));
  if (missing.length === 0) return null;
  return { missing, present: folders.slice(0, LISTED), more: Math.max(0, folders.length - LISTED) };
}

/** The one warning line for `missingChannels`' answer. */
export function missingChannelsText(base: string, m: { missing: string[]; present: string[]; more: number }): string {
  const names = (l: readonly string[]): string => l.map((c) => JSON.stringify(c)).join(', ');
  const there =
    m.present.length === 0
      ? 'it holds no channel folder'
      : `the channels there are ${names(m.present)}${m.more > 0 ? ` and ${m.more} more` : ''}`;
  return `no folder for channel ${names(m.missing)} under ${base}; ${there}`;
}
