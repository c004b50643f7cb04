import { formatDuration, formatPercent } from '../format.js';
import { ago } from './ages.js';
import { addText, byId, el } from './dom.js';
import type { PageState } from './pageState.js';
import { stateBadge, stateClass } from './stateBadge.js';

/** The header's list of nodes: this one, then each peer with its state (nothing without peers). */
export function renderNodes(s: PageState): void {
  const p = byId('nodes');
  p.textContent = '';
  const { data } = s;
  if (data.peers.length === 0) return;
  addText(p, 'Nodes: ');
  p.appendChild(el('b', { text: data.node }));
  addText(p, ' (this page)');
  for (const n of data.peers) {
    addText(p, ', ');
    p.appendChild(/^https?:\/\//i.test(n.url) ? el('a', { href: n.url, text: n.node }) : el('span', { text: n.node }));
    const why = n.state === 'down' && n.error !== null && n.error !== '' ? ` (${n.error})` : '';
    p.appendChild(el('span', { cls: `state ${n.state}`, text: ` ${n.state}${why}` }));
  }
}

/**
 * The table at the top: one row per channel and quality, linking to its card, with its
 * state. The "Fleet hole" column only when the node has peers.
 */
export function renderOverview(s: PageState, app: HTMLElement): void {
  let t = document.getElementById('overview');
  if (t === null) {
    t = el('div', { cls: 'scrollx', id: 'overview' });
    app.insertBefore(t, app.firstChild);
  }
  t.textContent = '';
  const peers = s.hasPeers;
  const tb = el('tbody');
  s.data.qualities.forEach((q, i) => {
    tb.appendChild(
      el('tr', { cls: stateClass(q) }, [
        el('td', null, [el('a', { href: `#q-${i}`, text: q.channel })]),
        el('td', { text: q.quality }),
        // the reason beside the state's word, left out on a phone (the card says it)
        el('td', { cls: 'state' }, [
          stateBadge(q, undefined, true),
          q.state === null || q.reason === null ? null : el('span', { cls: 'reason wide', text: ` ${q.reason}` }),
        ]),
        el('td', { cls: 'num', text: formatPercent(q.coverage_pct) }),
        el('td', { cls: 'num', text: q.scanned ? String(q.hole_count) : '–' }),
        el('td', { cls: 'num wide', text: q.scanned ? formatDuration(q.hole_us) : '–' }),
        peers ? el('td', { cls: 'num wide', text: q.scanned ? formatDuration(q.fleet.hole_us) : '–', title: 'Time no node holds' }) : null,
        el('td', {
          cls: 'num',
          'data-ago': q.newest_end === null ? '' : String(q.newest_end),
          text: q.newest_end === null ? '–' : ago(q.newest_end),
        }),
      ]),
    );
  });
  t.appendChild(
    el('table', { cls: 'overview' }, [
      el('thead', null, [
        el('tr', null, [
          el('th', { text: 'Channel' }),
          el('th', { text: 'Quality' }),
          el('th', { text: 'State' }),
          el('th', { cls: 'num', text: 'Coverage' }),
          el('th', { cls: 'num', text: 'Holes' }),
          el('th', { cls: 'num wide', text: 'Hole time' }),
          peers ? el('th', { cls: 'num wide', text: 'Fleet hole' }) : null,
          el('th', { cls: 'num', text: 'Newest' }),
        ]),
      ]),
      tb,
    ]),
  );
}
