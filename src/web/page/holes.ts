import { displayUtc, formatDuration } from '../format.js';
import type { FleetHole, FleetQuality } from '../pageData.js';
import type { Card } from './card.js';
import { el } from './dom.js';
import type { PageState } from './pageState.js';

/** Holes a page of the list shows. */
const PAGE = 20;

/** Which peers hold a hole, in a cell: "no node: lost" when there are peers and none has it. */
function heldBy(x: FleetHole, hasPeers: boolean): HTMLTableCellElement {
  if (x.peers.length === 0) return hasPeers ? el('td', { cls: 'peers none', text: 'no node: lost' }) : el('td', { cls: 'peers', text: '–' });
  return el('td', { cls: 'peers' }, [x.peers.map((p) => p.node + (p.cover === 'full' ? ' (all)' : ` (${formatDuration(p.covered_us)} of it)`)).join(', ')]);
}

/** The card's holes list, newest first, a page at a time; the page shown is kept in `u.page`. */
export function renderHoles(s: PageState, u: Card, q: FleetQuality): void {
  u.holes.textContent = '';
  if (!q.scanned) return;
  if (q.holes.length === 0) {
    u.holes.appendChild(el('p', { cls: 'noholes', text: q.nothing_recorded ? 'Nothing recorded.' : 'No holes.' }));
    return;
  }
  const holes = q.holes.slice().sort((a, b) => b.start - a.start);
  const pages = Math.ceil(holes.length / PAGE);
  u.page = Math.max(0, Math.min(u.page, pages - 1));
  const from = u.page * PAGE;
  const shown = holes.slice(from, from + PAGE);
  const tb = el('tbody');
  for (const x of shown) {
    const start = displayUtc(x.start);
    const end = displayUtc(x.end);
    tb.appendChild(el('tr', { cls: 'hole' }, [el('td', { text: start }), el('td', { text: end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end }),
      el('td', { cls: 'num', text: formatDuration(x.end - x.start) }), heldBy(x, s.hasPeers)]));
  }
  const cap = holes.length === 1 ? 'The hole (UTC)' : `Holes ${from + 1}–${from + shown.length} of ${holes.length}, newest first (UTC)`;
  const table = el('table', { cls: 'holes' }, [el('caption', { text: cap }), el('thead', null, [el('tr', null, [el('th', { text: 'Start' }),
    el('th', { text: 'End' }), el('th', { cls: 'num', text: 'Length' }), el('th', { text: 'Held by' })])]), tb]);
  u.holes.appendChild(el('div', { cls: 'scrollx' }, [table]));
  if (pages > 1) {
    const prev = el('button', { type: 'button', cls: 'newer', text: '← Newer' });
    const next = el('button', { type: 'button', cls: 'older', text: 'Older →' });
    prev.disabled = u.page === 0;
    next.disabled = u.page >= pages - 1;
    const turn = (by: number): void => {
      u.page += by;
      if (u.q !== null) renderHoles(s, u, u.q);
    };
    prev.addEventListener('click', () => turn(-1));
    next.addEventListener('click', () => turn(1));
    u.holes.appendChild(el('p', { cls: 'pager' }, [prev, ` page ${u.page + 1} of ${pages} `, next]));
  }
}
