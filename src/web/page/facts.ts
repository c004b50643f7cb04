import { displayUtc, formatDuration, formatPercent } from '../format.js';
import type { FleetQuality } from '../pageData.js';
import { ago } from './ages.js';
import { addText, el } from './dom.js';
import type { PageState } from './pageState.js';
import { stateClass } from './stateBadge.js';

/**
 * The card's facts: coverage of the window, the newest segment, the holes, and (with
 * peers) the fleet's figures. Coverage and holes take the pair's state's colour; a newest
 * segment older than the page's stale age is amber (only `--max-age` makes it bad, in the state).
 */
export function renderFacts(s: PageState, host: HTMLElement, q: FleetQuality): void {
  host.textContent = '';
  if (!q.scanned) {
    host.appendChild(el('p', { text: 'Waiting for the first pass over this channel and quality.' }));
    return;
  }
  const { data } = s;
  const stale = s.isStale(q);
  const cls = stateClass(q);
  const win = el('small', { text: q.window === null ? 'no window' : `${displayUtc(q.window[0])} – ${displayUtc(q.window[1])} UTC` });
  if (q.nothing_recorded) {
    addText(win, ' ');
    win.appendChild(el('b', { cls: 'nothing', text: 'nothing recorded' }));
  }
  const holesDt = el('dt', null, ['Holes']);
  if (data.docs_url !== null && data.docs_url !== '') {
    addText(holesDt, ' ');
    holesDt.appendChild(
      el('a', { cls: 'docs', href: data.docs_url, title: 'What a hole, the window and coverage mean (docs/coverage.md)', text: '?' }),
    );
  }
  const holesDd = el('dd', { cls }, [el('b', { cls: 'holecount', text: String(q.hole_count) }), `, total ${formatDuration(q.hole_us)}`]);
  if (q.missing_hours > 0) {
    addText(holesDd, ', ');
    holesDd.appendChild(el('b', { cls: 'missinghours', text: String(q.missing_hours) }));
    addText(holesDd, ' whole hour(s) missing');
  }
  const newest =
    q.newest_end === null
      ? ['none']
      : [
          el('span', { 'data-ago': String(q.newest_end), text: ago(q.newest_end) }),
          ' ',
          el('small', { text: `(ends ${displayUtc(q.newest_end)} UTC)` }),
        ];
  const dl = el('dl', { cls: 'facts' }, [
    el('div', null, [
      el('dt', { text: 'Coverage of window' }),
      el('dd', { cls }, [el('b', { cls: 'pct', text: formatPercent(q.coverage_pct) }), ' ', win]),
    ]),
    el('div', null, [el('dt', { text: 'Newest segment' }), el('dd', { cls: stale ? 'warn' : 'ok' }, newest)]),
    el('div', null, [holesDt, holesDd]),
  ]);
  if (s.hasPeers && q.window !== null) {
    // what no node has is lost, but how badly only the holes list says: amber, not red
    dl.appendChild(
      el('div', null, [
        el('dt', { text: 'Fleet' }),
        el('dd', { cls: q.fleet.hole_us > 0 ? 'warn' : 'ok' }, [
          el('b', { cls: 'fleethole', text: formatDuration(q.fleet.hole_us) }),
          ' no node has; ',
          el('b', { cls: 'localonly', text: formatDuration(q.fleet.local_only_hole_us) }),
          ' only this node lacks (peers have it)',
        ]),
      ]),
    );
  }
  host.appendChild(dl);
}
