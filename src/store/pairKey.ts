/**
 * The one key of a channel and quality in maps and sets. NUL cannot occur in a folder name,
 * so no two pairs share a key. Imports nothing: the status page's script uses it too.
 */
export function pairKey(channel: string, quality: string): string {
  return `${channel}\u0000${quality}`;
}
