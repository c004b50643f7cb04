import { formatDuration } from '../format.js';
import { byId } from './dom.js';
import type { PageState } from './pageState.js';

/** How long ago `us` was by the browser's clock (`in …` when ahead of it). */
export function ago(us: number): string {
  const d = Date.now() * 1000 - us;
  return d < 0 ? `in ${formatDuration(-d)}` : `${formatDuration(d)} ago`;
}

/**
 * Once a second: every age on the page (elements with `data-ago`, µs) from the browser's
 * clock, and how old a snapshot copy is.
 */
export function tickAges(s: PageState): void {
  document.querySelectorAll('[data-ago]').forEach((e) => {
    const v = e.getAttribute('data-ago');
    if (v) e.textContent = ago(Number(v));
  });
  if (s.data.static) {
    const live = byId('live');
    live.textContent = `snapshot written ${ago(s.data.generated_at)}; this copy does not update`;
    live.className = 'live static';
  }
}
