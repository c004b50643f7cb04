import { formatSeconds } from '../outputs/progressBar.js';
import { mapFileName } from '../store/layout.js';
import { displayUtc, escapeHtml as h, formatDuration, formatPercent } from './format.js';
import { mapLayout, type MapLayout } from './mapLayout.js';
import { notYetRects } from './notYet.js';
import type { HoleView, QualitySummary } from './qualitySummary.js';
import { PAGE_CSS, PAGE_SCRIPT } from './pageAssets.js';

/** How the page is rendered; everything time-dependent comes in here (the renderer is pure). */
export interface PageOptions {
  readonly nowUs: number;
  /** Shown in the title and header: this node's name. */
  readonly nodeName: string;
  /** False while the daemon's first pass is still running. */
  readonly ready: boolean;
  readonly refreshSeconds: number;
  /** Seconds a map pixel (config.pixelLength). */
  readonly pixelSeconds: number;
  /** A segment older than this (µs) marks the quality stale. */
  readonly staleAfterUs: number;
  /** The URL (as written into the page, unescaped) of a local map file. */
  readonly mapUrl: (file: string, summary: QualitySummary) => string;
  /** Other segcov nodes: name → base URL without trailing slash. */
  readonly peers: Readonly<Record<string, string>>;
  /** Newest holes listed per quality. */
  readonly maxHoles: number;
  /** Where docs/coverage.md (what a hole, the window, coverage mean) is served, if anywhere. */
  readonly docsUrl?: string;
}

function docsLink(opts: PageOptions): string {
  return opts.docsUrl === undefined ? '' : ` <a class="docs" href="${h(opts.docsUrl)}" title="What a hole, the window and coverage mean (docs/coverage.md)">?</a>`;
}

const LEGEND = `<ul class="legend" aria-label="Legend">`
  + `<li><i class="sw blue"></i>recorded</li>`
  + `<li><i class="sw orange"></i>only partial or suspect segments</li>`
  + `<li><i class="sw white"></i>hole: nothing recorded</li>`
  + `<li><i class="sw grey"></i>not yet: after now</li></ul>`;

/** Pure: the whole status page as one HTML document (no external resources but the maps). */
export function renderStatusPage(summaries: readonly QualitySummary[], opts: PageOptions): string {
  const byChannel = new Map<string, QualitySummary[]>();
  for (const s of summaries) {
    const list = byChannel.get(s.channel) ?? [];
    list.push(s);
    byChannel.set(s.channel, list);
  }
  const overview = renderOverview(summaries, opts);
  let idx = 0;
  const sections = [...byChannel].map(([channel, list]) =>
    `<section class="channel"><h2>${h(channel)}</h2><div class="cards">${
      list.map((s) => renderQuality(s, opts, idx++)).join('')}</div></section>`).join('\n');
  const peerNames = Object.keys(opts.peers);
  const nodes = peerNames.length === 0 ? '' : `<p class="nodes">Nodes: <b>${h(opts.nodeName)}</b> (this page)${
    peerNames.map((n) => `, <a href="${h(`${opts.peers[n]}/`)}">${h(n)}</a>`).join('')}</p>`;
  const notReady = opts.ready ? '' : '<p class="banner">First pass still running: figures below are incomplete.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${opts.refreshSeconds}">
<link rel="icon" href="data:,">
<title>segcov: ${h(opts.nodeName)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header class="top"><h1>Segment coverage <span class="node">${h(opts.nodeName)}</span></h1>
<p class="updated">As of <time datetime="${h(new Date(opts.nowUs / 1000).toISOString())}">${h(displayUtc(Math.floor(opts.nowUs / 1e6) * 1e6))} UTC</time>; refreshes every ${opts.refreshSeconds} s.</p>
${nodes}</header>
<main>
${notReady}${overview}
${sections}
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function isStale(s: QualitySummary, opts: PageOptions): boolean {
  return s.ageUs === null || s.ageUs > opts.staleAfterUs;
}

/** One row per channel and quality: the figures at a glance, linking to the details. */
function renderOverview(summaries: readonly QualitySummary[], opts: PageOptions): string {
  const rows = summaries.map((s, i) => {
    const cls = s.status === undefined ? 'wait' : s.rawHoles.length > 0 || s.nothingRecorded || isStale(s, opts) ? 'bad' : 'ok';
    return `<tr class="${cls}"><td><a href="#q-${i}">${h(s.channel)}</a></td><td>${h(s.quality)}</td>`
      + `<td class="num">${h(formatPercent(s.coveragePct))}</td>`
      + `<td class="num">${s.status === undefined ? '–' : s.rawHoles.length}</td>`
      + `<td class="num wide">${s.status === undefined ? '–' : h(formatDuration(s.rawHoleUs))}</td>`
      + `<td class="num">${s.ageUs === null ? '–' : h(formatSeconds(s.ageUs / 1e6))}</td></tr>`;
  }).join('');
  return `<div class="scrollx"><table class="overview"><thead><tr><th>Channel</th><th>Quality</th>`
    + `<th class="num">Coverage</th><th class="num">Holes</th><th class="num wide">Hole time</th><th class="num" title="Age of the newest segment">Age</th></tr></thead>`
    + `<tbody>${rows}</tbody></table></div>`;
}

function renderQuality(s: QualitySummary, opts: PageOptions, idx: number): string {
  const title = `<h3>${h(s.quality)}</h3>`;
  if (s.status === undefined) {
    return `<article class="quality wait" id="q-${idx}">${title}<p>Waiting for the first pass over this channel and quality.</p>${renderPeers(s, opts, null)}</article>`;
  }
  const stale = isStale(s, opts);
  const pctClass = s.rawHoles.length > 0 || s.nothingRecorded ? 'bad' : 'ok';
  const window = (s.window === null ? 'no window'
    : `${h(displayUtc(s.window.start))} – ${h(displayUtc(s.window.end))} UTC (${s.hoursShown} h shown)`)
    + (s.nothingRecorded ? ' <b class="nothing">nothing recorded</b>' : '');
  const age = s.ageUs === null || s.newestEnd === null ? 'none'
    : `${h(formatDuration(s.ageUs))} ago <small>(ends ${h(displayUtc(s.newestEnd))} UTC)</small>`;
  const facts = `<dl class="facts">`
    + `<div><dt>Coverage of window</dt><dd class="${pctClass}"><b class="pct">${h(formatPercent(s.coveragePct))}</b> <small>${window}</small></dd></div>`
    + `<div><dt>Newest segment</dt><dd class="${stale ? 'bad' : 'ok'}">${age}</dd></div>`
    + `<div><dt>Holes${docsLink(opts)}</dt><dd class="${pctClass}"><b class="holecount">${s.rawHoles.length}</b>, total ${h(formatDuration(s.rawHoleUs))}`
    + `${s.missingHours > 0 ? `, <b class="missinghours">${s.missingHours}</b> whole hour(s) missing` : ''}</dd></div>`
    + `</dl>`;
  const layout = s.status.coverage.map === null ? null : mapLayout(s.status.coverage.map, opts.pixelSeconds);
  return `<article class="quality" id="q-${idx}">${title}${facts}${renderHoles(s.rawHoles, opts.maxHoles)}`
    + `${renderMap(s, opts, layout)}${renderPeers(s, opts, layout)}</article>`;
}

function renderHoles(holes: readonly HoleView[], max: number): string {
  if (holes.length === 0) return '<p class="noholes">No holes.</p>';
  const newest = [...holes].sort((a, b) => b.start - a.start).slice(0, max);
  const rows = newest.map((x) => {
    const start = displayUtc(x.start);
    const end = displayUtc(x.end);
    const endShown = end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end;
    return `<tr class="hole"><td>${h(start)}</td><td>${h(endShown)}</td><td class="num">${h(formatDuration(x.end - x.start))}</td></tr>`;
  }).join('');
  const caption = holes.length > newest.length ? `Newest ${newest.length} of ${holes.length} holes` : holes.length === 1 ? 'The hole' : `All ${holes.length} holes, newest first`;
  return `<div class="scrollx"><table class="holes"><caption>${caption} (UTC)</caption>`
    + `<thead><tr><th>Start</th><th>End</th><th class="num">Length</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderMap(s: QualitySummary, opts: PageOptions, layout: MapLayout | null): string {
  const map = s.status?.coverage.map ?? null;
  if (map === null || layout === null) return '<p class="nomap">No map yet: no segment recorded.</p>';
  const file = mapFileName(s.channel, s.quality);
  const alt = `Coverage map of ${s.channel} ${s.quality}`;
  const days = layout.dayLabels.map((d) =>
    `<span style="left:${d.at}px;width:${d.size}px" title="${h(d.title)}">${h(d.text)}</span>`).join('');
  const hours = layout.hourLabels.map((l) =>
    `<span style="left:${l.at}px" title="${h(l.title)}">${h(l.text)}</span>`).join('');
  const ticks = layout.minuteTicks.map((t) =>
    `<span style="top:${t.at}px" title="${h(t.title)}">${h(t.text)}</span>`).join('');
  const colMin = layout.columnSeconds >= 120 ? `${layout.columnSeconds / 60} min` : `${layout.columnSeconds} s`;
  return `<figure class="map">`
    + `<div class="mapwrap"><div class="yaxis" style="height:${layout.height}px">${ticks}</div>`
    + `<div class="scrollx mapscroll"><div class="plot" style="width:${layout.width}px">`
    + `<div class="days">${days}</div><div class="hours">${hours}</div>`
    + `<div class="canvas" style="width:${layout.width}px;height:${layout.height}px">`
    + `<img src="${h(opts.mapUrl(file, s))}" width="${layout.width}" height="${layout.height}" alt="${h(alt)}">`
    + notYetRects(map, opts.pixelSeconds, opts.nowUs, layout.scaleX, layout.scaleY)
      .map((r) => `<div class="notyet" style="left:${r.left}px;top:${r.top}px;width:${r.width}px;height:${r.height}px" title="not yet: after now"></div>`).join('')
    + `<div class="grid" style="background-size:${layout.hourPx}px 100%"></div></div>`
    + `</div></div></div>`
    + `<figcaption>Hours (UTC) left to right; each column is ${colMin}, read top to bottom. ${LEGEND}</figcaption>`
    + `</figure>`;
}

/**
 * The same channel and quality on every peer: its map, linking to its own status page.
 * When this node has no map of it either (a quality nobody records, or not scanned yet),
 * only the links are shown rather than a row of broken images.
 */
function renderPeers(s: QualitySummary, opts: PageOptions, layout: MapLayout | null): string {
  const names = Object.keys(opts.peers);
  if (names.length === 0) return '';
  if (layout === null) {
    return `<p class="peers">Other nodes: ${names.map((n) => `<a href="${h(`${opts.peers[n]}/`)}">${h(n)}</a>`).join(', ')}</p>`;
  }
  const file = encodeURIComponent(mapFileName(s.channel, s.quality));
  const sx = layout?.scaleX ?? 1;
  const sy = layout?.scaleY ?? 1;
  const figs = names.map((n) => {
    const base = opts.peers[n];
    const alt = `Coverage map of ${s.channel} ${s.quality} on ${n}`;
    return `<figure class="peer"><figcaption><a href="${h(`${base}/`)}">${h(n)}</a></figcaption>`
      + `<div class="scrollx"><img class="peermap" src="${h(`${base}/maps/${file}`)}" alt="${h(alt)}" data-sx="${sx}" data-sy="${sy}"></div>`
      + `<p class="unreachable" hidden>Map not available from ${h(n)}.</p></figure>`;
  }).join('');
  return `<div class="peers"><h4>Other nodes</h4>${figs}</div>`;
}
