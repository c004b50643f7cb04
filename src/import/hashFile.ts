import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The store's content hash: SHA-256 of the bytes as unpadded URL-safe base64 (docs/coverage.md, The store),
 * streamed so a long segment never sits in memory whole.
 */
export async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('base64url');
}
