import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pageHtml, type WebContext } from './context.js';

/** The static page's file name in the output folder. */
export const STATIC_PAGE_NAME = 'index.html';

/**
 * `--make-page`: writes the status page as `OUTPUT_DIR/index.html`, next to the maps it
 * shows (referenced relatively, so nginx can serve the folder as it is). Written to a
 * hidden temporary name in the same folder and renamed over the old page, so a reader
 * never sees half a page.
 */
export async function writeStaticPage(ctx: WebContext): Promise<void> {
  const dir = ctx.config.outputDir;
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${STATIC_PAGE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, pageHtml(ctx, ''), { mode: 0o644 });
    await rename(tmp, path.join(dir, STATIC_PAGE_NAME));
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
