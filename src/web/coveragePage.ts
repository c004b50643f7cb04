import type { NodeRef } from '../nodes/nodeList.js';
import { escapeHtml as h } from './format.js';

/** Milliseconds between the reloads of the maps on the page, as in the replaced checker. */
export const IMAGE_REFRESH_MS = 30_000;

export interface CoveragePageInput {
  readonly channel: string;
  readonly quality: string;
  /** The map file name (`CHANNEL_QUALITY_coverage.png`). */
  readonly mapFile: string;
  /** The nodes whose maps are shown; empty: this node's own map only. */
  readonly nodes: readonly NodeRef[];
  /** This node's name, shown when there is no node list. */
  readonly selfName: string;
  /** Relative link to segcov's full status page. */
  readonly indexHref: string;
}

/**
 * `CHANNEL_QUALITY_coverage.html`, the page the replaced checker wrote with `--make-page`:
 * the map of this channel and quality on every node, each under its name, reloaded every
 * 30 s (a timestamp query defeats the browser cache), plus a link to segcov's own page.
 * Pure; every name and URL is escaped.
 */
export function renderCoveragePage(p: CoveragePageInput): string {
  const file = encodeURIComponent(p.mapFile);
  const shown =
    p.nodes.length > 0 ? p.nodes.map((n) => ({ name: n.name, src: `${n.mapBase}/${file}` })) : [{ name: p.selfName, src: file }];
  const figures = shown.map((n) => `    <h3>${h(n.name)}</h3>\n    <img src="${h(n.src)}" alt="${h(n.name)}">\n`).join('');
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>${h(p.channel)} ${h(p.quality)} Segment Coverage Maps</title>
    <style>
      html { background-color: #222; }
      h1, h3, p { color: #eee; text-align: center; font-family: sans-serif; }
      a { color: #9cf; }
      img { display: block; margin-left: auto; margin-right: auto; image-rendering: pixelated; }
    </style>
    <script>
      function updateImages() {
        const now = new Date().getTime();
        for (const image of document.getElementsByTagName("img")) {
          const imageUrl = new URL(image.src);
          imageUrl.search = "t=" + now;
          image.src = imageUrl;
        }
      }
      setInterval(updateImages, ${IMAGE_REFRESH_MS});
    </script>
  </head>
  <body>
    <h1>${h(p.channel)} ${h(p.quality)}</h1>
    <p><a href="${h(p.indexHref)}">Coverage, holes and every quality of this node</a></p>
${figures}  </body>
</html>
`;
}
