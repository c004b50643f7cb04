import path from 'node:path';
import { writeFileAtomic } from '../outputs/atomicWrite.js';
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
  // never renamed over a page name that is not a regular file (writeFileAtomic refuses)
  await writeFileAtomic(path.join(ctx.config.outputDir, STATIC_PAGE_NAME), pageHtml(ctx, ''), { mode: 0o644 });
}
