import { hostname } from 'node:os';
import path from 'node:path';
import type { NodeRef } from '../nodes/nodeList.js';
import { writeFileAtomic } from '../outputs/files/atomicWrite.js';
import { coveragePageName, mapFileName } from '../store/layout.js';
import { pageHtml, type WebContext } from './context.js';
import { renderCoveragePage } from './coveragePage.js';

/** The static status page's file name in the output folder. */
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
 * temporary name in the same folder and renamed over the old page, so a reader never
 * sees half a page. `spans.json` is written first, beside it.
 */
export async function writeStaticPage(ctx: WebContext): Promise<void> {
  // never renamed over a page name that is not a regular file (writeFileAtomic refuses)
  await writeFileAtomic(path.join(ctx.config.outputDir, SPANS_FILE_NAME), `${JSON.stringify(ctx.fleet.spans())}\n`, { mode: 0o644 });
  await writeFileAtomic(path.join(ctx.config.outputDir, STATIC_PAGE_NAME), pageHtml(ctx, ''), { mode: 0o644 });
}

/**
 * `--make-page`: writes the replaced checker's `OUTPUT_DIR/CHANNEL_QUALITY_coverage.html`
 * (the maps of one channel and quality on every node), written then renamed.
 */
export async function writeCoveragePage(outputDir: string, channel: string, quality: string, nodes: readonly NodeRef[]): Promise<void> {
  const html = renderCoveragePage({
    channel,
    quality,
    mapFile: mapFileName(channel, quality),
    nodes,
    selfName: hostname(),
    indexHref: STATIC_PAGE_NAME,
  });
  await writeFileAtomic(path.join(outputDir, coveragePageName(channel, quality)), html, { mode: 0o644 });
}

/**
 * OUTPUT_DIR as the nodes' URLs carry it (`URL/segments/OUTPUT_DIR/FILE`): relative to
 * the base dir, `/`-separated; an output folder outside the store is named by its last
 * component.
 */
export function outputDirUrl(baseDir: string, outputDir: string): string {
  const rel = path.relative(baseDir, outputDir);
  const parts = rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? [path.basename(outputDir)] : rel.split(path.sep);
  return parts.map(encodeURIComponent).join('/');
}
