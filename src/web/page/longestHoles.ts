import { orderHoles } from '../../coverage/severity.js';
import { displayUtc, formatDuration } from '../format.js';
import type { FleetQuality } from '../pageData.js';
import { el } from './dom.js';
import { heldByText } from './heldBy.js';

/** How many of the longest holes are named above the list. */
export const LONGEST = 3;

/**
 * The few longest holes of the window, above the holes list: their length, when, and (with
 * peers) who holds them. Only when there are more holes than that, else the list, longest
 * first by default, already shows them all.
 */
export function longestHoles(q: FleetQuality, hasPeers: boolean): HTMLElement | null {
  if (q.holes.length <= LONGEST) return null;
  const items = orderHoles(q.holes, 'length')
    .slice(0, LONGEST)
    .map((x) => {
      const start = displayUtc(x.start);
      const end = displayUtc(x.end);
      const held = heldByText(x);
      return el('li', null, [
        el('b', { cls: 'len', text: formatDuration(x.end - x.start) }),
        ` ${start} – ${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end} UTC`,
        hasPeers
          ? el('span', { cls: held === null ? 'held none' : 'held', text: held === null ? ', no node has it' : `, held by ${held}` })
          : null,
      ]);
    });
  return el('div', { cls: 'longest' }, [el('h4', { text: `The ${LONGEST} longest holes` }), el('ol', null, items)]);
}
