import path from 'node:path';
import { writeFileAtomic } from '../outputs/atomicWrite.js';
import { fleetOf, pageHtml, type WebContext } from './context.js';

/** The static page's file name in the output folder. */
export const STATIC_PAGE_NAME = 'index.html';
/**
 * This node's spans (`/api/v1/spans?v=1`) as a file beside the maps: where a node behind
 * wubloader's nginx (which serves the output folder under `/segments/`, but not segcov's
 * API) can be read by its peers.
 */
export const SPANS_FILE_NAME = 'spans.json';

/**
 * `--make-page`: writes the status page as `OUTPUT_DIR/index.html`, next to the maps it
 * shows (referenced relatively, so nginx can serve the folder as it is). Written to a
 * hidden temporary name in the same folder and renamed over the old page, so a reader
 * never sees half a page. `spans.json` is written first, beside it.
 */
export async function writeStaticPage(ctx: WebContext): Promise<void> {
  // never renamed over a page name that is not a regular file (writeFileAtomic refuses)
  await writeFileAtomic(path.join(ctx.config.outputDir, SPANS_FILE_NAME), `${JSON.stringify(fleetOf(ctx).spans())}\n`, { mode: 0o644 });
  await writeFileAtomic(path.join(ctx.config.outputDir, STATIC_PAGE_NAME), pageHtml(ctx, ''), { mode: 0o644 });
}
