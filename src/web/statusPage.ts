import { displayUtc, escapeHtml as h } from './format.js';
import { PAGE_CSS } from './pageAssets.js';
import { PAGE_SCRIPT } from './page/pageScript.generated.js';
import type { PageData } from './pageData.js';

// the data's types live in pageData.ts, which the page's browser script shares (no Node there)
export type { PageData, PageMap } from './pageData.js';

/**
 * The data embedded in the page as JSON inside a non-executed script element: `<` is
 * written as `\u003c` so no text in it (a channel named `</script>`) can end the element.
 */
export function embedJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Pure: the whole status page. The server writes only the frame and the data; the
 * page's one script draws everything from the data (overview, per channel and quality
 * the facts, the fleet strips, the paged holes list and the local map; on the live page
 * the hole history from `api/v1/incidents`), and redraws
 * from each live event (`api/v1/events`) without reloading: nothing here may depend on
 * the time it was written, so the static `--make-page` copy never freezes an age.
 */
export function renderStatusPage(data: PageData): string {
  const when = displayUtc(Math.floor(data.generated_at / 1e6) * 1e6);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>segcov: ${h(data.node)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header class="top"><h1>Segment coverage <span class="node">${h(data.node)}</span></h1>
<p class="updated">As of <time id="asof" datetime="${h(new Date(data.generated_at / 1000).toISOString())}">${h(when)} UTC</time> <span id="live" class="live">${data.static ? 'snapshot' : 'connecting…'}</span></p>
<p class="nodes" id="nodes"></p></header>
<main id="app">
<noscript><p class="banner">This page draws itself with JavaScript. The same data is at <a href="api/v1/fleet">api/v1/fleet</a>.</p></noscript>
</main>
<script type="application/json" id="segcov-data">${embedJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
