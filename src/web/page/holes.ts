import { orderHoles, type HoleOrder } from '../../coverage/severity.js';
import { displayUtc, formatDuration } from '../format.js';
import type { FleetHole, FleetQuality } from '../pageData.js';
import type { Card } from './card.js';
import { el } from './dom.js';
import { heldByText } from './heldBy.js';
import { longestHoles } from './longestHoles.js';
import type { PageState } from './pageState.js';

/** Holes a page of the list shows. */
const PAGE = 20;

/** Which peers hold a hole, in a cell: "no node: lost" when none has it. Only drawn with peers. */
function heldBy(x: FleetHole): HTMLTableCellElement {
  const text = heldByText(x);
  return text === null ? el('td', { cls: 'peers none', text: 'no node: lost' }) : el('td', { cls: 'peers', text });
}

/** The list's holes in the reader's order: the longest first, or the newest first. */
function ordered(holes: readonly FleetHole[], order: HoleOrder): FleetHole[] {
  return order === 'length' ? orderHoles(holes, 'length') : holes.slice().sort((a, b) => b.start - a.start);
}

/** The two buttons that order the list; the pressed one is the order shown. */
function orderToggle(s: PageState, u: Card): HTMLElement {
  const button = (order: HoleOrder, text: string): HTMLButtonElement => {
    const b = el('button', { type: 'button', cls: `order-${order}`, 'aria-pressed': String(u.order === order), text });
    b.addEventListener('click', () => {
      if (u.order === order) return;
      u.order = order;
      u.page = 0;
      if (u.q !== null) renderHoles(s, u, u.q);
    });
    return b;
  };
  return el('p', { cls: 'holeorder', role: 'group', 'aria-label': 'Order of the holes' }, [
    'Order: ',
    button('length', 'Longest first'),
    ' ',
    button('time', 'Newest first'),
  ]);
}

/**
 * The card's holes: the few longest named first, then the whole list in the reader's order
 * (`u.order`, longest first until they choose), a page at a time (`u.page`). The "Held by"
 * column is there only when the node has peers.
 */
export function renderHoles(s: PageState, u: Card, q: FleetQuality): void {
  u.holes.textContent = '';
  if (!q.scanned) return;
  if (q.holes.length === 0) {
    u.holes.appendChild(el('p', { cls: 'noholes', text: q.nothing_recorded ? 'Nothing recorded.' : 'No holes.' }));
    return;
  }
  const peers = s.hasPeers;
  const top = longestHoles(q, peers);
  if (top !== null) u.holes.appendChild(top);
  const holes = ordered(q.holes, u.order);
  const pages = Math.ceil(holes.length / PAGE);
  u.page = Math.max(0, Math.min(u.page, pages - 1));
  const from = u.page * PAGE;
  const shown = holes.slice(from, from + PAGE);
  const tb = el('tbody');
  for (const x of shown) {
    const start = displayUtc(x.start);
    const end = displayUtc(x.end);
    tb.appendChild(
      el('tr', { cls: 'hole' }, [
        el('td', { text: start }),
        el('td', { text: end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end }),
        el('td', { cls: 'num', text: formatDuration(x.end - x.start) }),
        peers ? heldBy(x) : null,
      ]),
    );
  }
  const how = u.order === 'length' ? 'longest first' : 'newest first';
  const cap = holes.length === 1 ? 'The hole (UTC)' : `Holes ${from + 1}–${from + shown.length} of ${holes.length}, ${how} (UTC)`;
  const table = el('table', { cls: 'holes' }, [
    el('caption', { text: cap }),
    el('thead', null, [
      el('tr', null, [
        el('th', { text: 'Start' }),
        el('th', { text: 'End' }),
        el('th', { cls: 'num', text: 'Length' }),
        peers ? el('th', { text: 'Held by' }) : null,
      ]),
    ]),
    tb,
  ]);
  if (holes.length > 1) u.holes.appendChild(orderToggle(s, u));
  u.holes.appendChild(el('div', { cls: 'scrollx' }, [table]));
  if (pages > 1) {
    const prev = el('button', { type: 'button', cls: 'prev', text: '← Previous' });
    const next = el('button', { type: 'button', cls: 'next', text: 'Next →' });
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
