import type { Stats } from 'node:fs';

/** What a path is when it is not a regular file, in the words messages use ("is a FIFO"). */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'folder';
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  return 'not a regular file';
}
