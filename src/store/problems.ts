/**
 * What can be wrong in a store without stopping anything (docs/operating.md, What the
 * store cannot break). The shell reports each occurrence to a sink, which counts it in
 * a `segcov_` metric and logs it.
 */
import { errorMessage } from '../errorMessage.js';
export type ProblemKind =
  | 'bad_name' // a listed .ts name that does not parse
  | 'skipped_folder' // a folder at the hour level that is not an hour (or is hidden)
  | 'not_a_folder' // an hour name that is a file, or a quality/channel path that is one
  | 'unreadable' // permission error, symlink loop, I/O error
  | 'vanished' // listed, then gone before it could be read or stat'ed
  | 'missing_base'; // the base, channel or quality folder does not exist (yet)

export const PROBLEM_KINDS: readonly ProblemKind[] = [
  'bad_name',
  'skipped_folder',
  'not_a_folder',
  'unreadable',
  'vanished',
  'missing_base',
];

export type ProblemSink = (kind: ProblemKind, path: string, detail: string) => void;

/** A sink that is also told when a path it had as unreadable was read again: its next failure counts anew. */
export type ProblemLog = ProblemSink & { readonly readable: (path: string) => void };

/** Maps a file-system error code to the problem it means for a scan. */
export function problemOf(err: unknown): ProblemKind {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'vanished';
  if (code === 'ENOTDIR') return 'not_a_folder';
  return 'unreadable';
}

export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | null;
  return e?.code ?? errorMessage(err);
}
