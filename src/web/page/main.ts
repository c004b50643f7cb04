/**
 * The status page's one script, bundled by esbuild (scripts/bundlePage.ts) and inlined,
 * allowed by its hash in the CSP. It draws the page from the embedded JSON and from every
 * live event, keeping what the reader did across redraws. Text from the data only ever
 * goes into `textContent`, never into HTML. Ages are computed here from timestamps, once a
 * second, from the browser's clock.
 */
import { displayUtc, formatDuration, formatPercent } from '../format.js';
import type { PageData } from '../pageData.js';
import { tickAges } from './ages.js';
import { byId } from './dom.js';
import { IncidentFeed } from './incidents.js';
import { followLive } from './live.js';
import { PageState } from './pageState.js';
import { PageView } from './pageView.js';

declare global {
  interface Window {
    /** The formatting functions, for the test that holds the page's to src/web/format.ts. */
    segcovFormat?: { utc: (us: number) => string; dur: (us: number) => string; pct: (p: number | null) => string };
  }
}

const state = new PageState(JSON.parse(byId('segcov-data').textContent ?? '') as PageData);
const incidents = new IncidentFeed(() => view.redrawIncidents());
const view = new PageView(state, byId('app'), incidents);
window.segcovFormat = { utc: displayUtc, dur: formatDuration, pct: formatPercent };
view.render();
tickAges(state);
setInterval(() => tickAges(state), 1000);
setInterval(() => {
  if (!state.data.static) view.redrawStrips();
}, 10000);
const stream = followLive(state, () => {
  view.render();
  tickAges(state);
});
if (stream !== null) incidents.follow(stream);
