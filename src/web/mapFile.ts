import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { sendText } from '../outputs/http/responses.js';

/**
 * Decodes the file name of a `/maps/NAME` request and checks it against the map files
 * this node writes. Only an exact name from `allowed` passes: no path syntax of any kind
 * (encoded dots or slashes, absolute paths, backslashes, NUL) can name another file.
 * Returns the name, or the HTTP status to answer with.
 */
export function mapRequestName(rest: string, allowed: ReadonlySet<string>): string | 400 | 404 {
  let name: string;
  try {
    name = decodeURIComponent(rest);
  } catch {
    return 400;
  }
  if (name === '' || name.startsWith('.') || /[/\\\0]/.test(name) || name !== path.basename(name)) return 404;
  if (!name.endsWith('.png') || !allowed.has(name)) return 404;
  return name;
}

/**
 * Sends `dir/name` (a name that passed mapRequestName). The file is opened without
 * following a symlink, and must be a regular file: a link planted in the output folder
 * cannot lead out of it. O_NONBLOCK: a FIFO planted under a map's name opens at once (and
 * is refused as not a file) instead of holding a thread-pool thread until a writer comes.
 * The file stays open while it is sent, so a map renamed over it meanwhile does not mix
 * two versions.
 */
export async function sendMapFile(req: http.IncomingMessage, res: http.ServerResponse, dir: string, name: string): Promise<void> {
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await open(path.join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    sendText(res, 404, 'not found\n');
    return;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      sendText(res, 404, 'not found\n');
      return;
    }
    const modified = new Date(Math.floor(st.mtimeMs / 1000) * 1000);
    const since = Date.parse(String(req.headers['if-modified-since'] ?? ''));
    const headers = {
      'content-type': 'image/png',
      'cache-control': 'no-cache',
      'last-modified': modified.toUTCString(),
      'x-content-type-options': 'nosniff',
    };
    if (Number.isFinite(since) && modified.getTime() <= since) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const body = req.method === 'HEAD' ? Buffer.alloc(0) : await handle.readFile();
    res.writeHead(200, { ...headers, 'content-length': String(req.method === 'HEAD' ? st.size : body.length) });
    res.end(body);
  } finally {
    await handle.close();
  }
}
