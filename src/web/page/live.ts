import type { PageData } from '../pageData.js';
import { byId } from './dom.js';
import type { PageState } from './pageState.js';

declare global {
  interface Window {
    /** How many live events the page has drawn (the browser tests wait on it). */
    segcovUpdates?: number;
  }
}

/**
 * Follows the daemon's `api/v1/events`: each `fleet` event carries the whole page data,
 * which replaces the page's and is drawn by `onData`. The `#live` badge says whether the
 * stream is up. Not for the snapshot copy (`--make-page`) nor a page opened as a file:
 * returns the stream (for its other events), or null when there is none.
 */
export function followLive(s: PageState, onData: () => void): EventSource | null {
  if (s.data.static || !/^https?:$/.test(location.protocol) || !('EventSource' in window)) return null;
  const live = byId('live');
  const on = (): void => {
    live.textContent = 'live';
    live.className = 'live on';
  };
  const es = new EventSource('api/v1/events');
  es.addEventListener('open', on);
  es.addEventListener('fleet', (ev) => {
    s.replace(JSON.parse(String(ev.data)) as PageData);
    window.segcovUpdates = (window.segcovUpdates ?? 0) + 1;
    onData();
    on();
  });
  es.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  });
  return es;
}
