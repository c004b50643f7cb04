import { readIsoMicros } from '../../time/isoFormat.js';
import { displayUtc, formatDuration } from '../format.js';
import { IncidentBook } from '../incidentBook.js';
import type { IncidentEvent, IncidentItem, IncidentPart } from '../incidentItem.js';
import type { FleetQuality } from '../pageData.js';
import { ago } from './ages.js';
import type { Card } from './card.js';
import { addText, el, type Kid } from './dom.js';
import { heldByText } from './heldBy.js';
import type { PageState } from './pageState.js';

/** Open incidents a card lists; the rest are counted and linked to the API. */
const OPEN_SHOWN = 10;
const SECOND = 1e6;

/**
 * The hole history on the live page: the list from `api/v1/incidents`, then every
 * `incident` event of the page's stream. The list is (re)loaded each time the stream
 * opens, since events missed while it was down are not sent again. `off`: no live API
 * (the `--make-page` snapshot, a page opened as a file): no incidents view.
 */
export class IncidentFeed {
  readonly book = new IncidentBook();
  status: 'off' | 'loading' | 'ready' | { readonly error: string } = 'off';

  /** `changed`: redraw the incidents views. */
  constructor(private readonly changed: () => void) {}

  follow(es: EventSource): void {
    this.status = 'loading';
    es.addEventListener('open', () => void this.load());
    es.addEventListener('incident', (ev) => {
      const e = JSON.parse(String(ev.data)) as IncidentEvent;
      if (this.book.put(e.incident)) this.changed();
    });
    this.changed();
  }

  private async load(): Promise<void> {
    try {
      const r = await fetch('api/v1/incidents', { cache: 'no-store' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      for (const x of ((await r.json()) as { incidents: IncidentItem[] }).incidents) this.book.put(x);
      this.status = 'ready';
    } catch (e) {
      // a list held already stays (the stream keeps it current); else say why there is none
      if (this.status !== 'ready') this.status = { error: e instanceof Error ? e.message : String(e) };
    }
    this.changed();
  }
}

/** `2026-11-01 10:00:00 – 10:05:00 UTC`: the end's date only when it differs from the start's. */
function spanText(a: number, b: number): string {
  const start = displayUtc(a);
  const end = displayUtc(b);
  return `${start} – ${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end} UTC`;
}

/** An age that the page's clock keeps current (ages.ts). */
function age(us: number): HTMLSpanElement {
  return el('span', { 'data-ago': String(us), text: ago(us) });
}

/**
 * Who holds an open part, in words, or null when no node does. From the fleet's holes of the
 * last redraw when the part is one of them (current), else as the part's last event saw it.
 */
function heldBy(q: FleetQuality, p: IncidentPart, start: number, end: number): string | null {
  const hole = q.holes.find((h) => h.start === start && h.end === end);
  return heldByText(
    hole ?? { start, end, peers: p.peers.map((x) => ({ node: x.node, cover: x.cover, covered_us: Math.round(x.covered * SECOND) })) },
  );
}

/** One open incident: its span, since when it is open, and what is still missing (with peers: who holds it). */
function openItem(s: PageState, q: FleetQuality, x: IncidentItem): HTMLLIElement {
  const [a, b, opened] = [readIsoMicros(x.start), readIsoMicros(x.end), readIsoMicros(x.opened_at)];
  const kids: Kid[] = [
    el('b', { cls: 'len', text: formatDuration(b - a) }),
    ` ${spanText(a, b)}, opened `,
    age(opened),
    el('small', { text: ` (${displayUtc(opened)} UTC${x.opened_at_start ? '; first seen at start-up, it may be older' : ''})` }),
  ];
  const parts = x.open_parts.map((p) => ({ p, start: readIsoMicros(p.start), end: readIsoMicros(p.end) }));
  const whole = parts.length === 1 && parts[0].start === a && parts[0].end === b;
  parts.forEach(({ p, start, end }, i) => {
    // a part on the span's first day by its times only
    const text = spanText(start, end).replace(/ UTC$/, '');
    if (!whole)
      kids.push(
        i === 0 ? '; still missing: ' : ', ',
        text.slice(0, 10) === displayUtc(a).slice(0, 10) ? text.slice(11) : text,
        ` (${formatDuration(end - start)})`,
      );
    if (!s.hasPeers) return;
    const held = heldBy(q, p, start, end);
    kids.push(el('span', { cls: held === null ? 'held none' : 'held', text: held === null ? ', no node has it' : `, held by ${held}` }));
  });
  return el('li', { cls: 'incident open' }, kids);
}

/** One closed incident: its span and how it ended, with the time it took to fill. */
function closedItem(x: IncidentItem): HTMLLIElement {
  const [a, b, closed] = [readIsoMicros(x.start), readIsoMicros(x.end), readIsoMicros(x.closed_at ?? '')];
  const delay = x.fill_delay_seconds === null ? '' : formatDuration(Math.round(x.fill_delay_seconds * SECOND));
  const how: Kid[] = [];
  if (x.closed_how === 'filled') how.push('filled after ', el('b', { cls: 'fill', text: delay }));
  else if (x.closed_how === 'filled_while_down') {
    const from = x.closed_while_down?.from ?? null;
    how.push(
      `filled while segcov was down (${from === null ? 'before' : `between ${displayUtc(readIsoMicros(from))} and`} ${displayUtc(closed)} UTC), within `,
      el('b', { cls: 'fill', text: delay }),
    );
  } else how.push(el('b', { cls: 'lost', text: 'left the window' }), ' before it was filled');
  return el('li', { cls: `incident closed ${x.closed_how ?? ''}` }, [
    el('b', { cls: 'len', text: formatDuration(b - a) }),
    ` ${spanText(a, b)}, `,
    el('span', { cls: 'how' }, how),
    ' (closed ',
    age(closed),
    ')',
  ]);
}

/**
 * The card's incidents view (docs/history.md): the open incidents first, the one open
 * longest first, then the recently closed ones, the newest first, with their time to fill.
 * Nothing on a page without the live API.
 */
export function renderIncidents(s: PageState, u: Card, feed: IncidentFeed, q: FleetQuality): void {
  const host = u.incidents;
  host.textContent = '';
  host.hidden = feed.status === 'off';
  if (feed.status === 'off') return;
  const head = el('h4', { text: 'Hole history' });
  if (s.data.docs_url !== null && s.data.docs_url !== '') {
    addText(head, ' ');
    head.appendChild(
      el('a', {
        cls: 'docs',
        href: `${s.data.docs_url}#a-holes-life`,
        title: 'How a hole opens, shrinks and closes (docs/coverage.md)',
        text: '?',
      }),
    );
  }
  host.appendChild(head);
  if (feed.status === 'loading' || typeof feed.status === 'object') {
    host.appendChild(el('p', { cls: 'noinc', text: feed.status === 'loading' ? 'Loading…' : `Not available: ${feed.status.error}.` }));
    return;
  }
  const { open, closed } = feed.book.of(q.channel, q.quality);
  if (open.length === 0 && closed.length === 0) {
    host.appendChild(el('p', { cls: 'noinc', text: 'No incidents: no hole behind the live edge since the history began.' }));
    return;
  }
  host.appendChild(el('p', { cls: 'inchead' }, [el('b', { text: `Open (${open.length})` }), open.length === 0 ? ': none.' : null]));
  if (open.length > 0)
    host.appendChild(
      el(
        'ol',
        { cls: 'incidents open' },
        open.slice(0, OPEN_SHOWN).map((x) => openItem(s, q, x)),
      ),
    );
  if (open.length > OPEN_SHOWN) {
    const href = `api/v1/incidents?channel=${encodeURIComponent(q.channel)}&quality=${encodeURIComponent(q.quality)}&state=open`;
    host.appendChild(
      el('p', { cls: 'more' }, [`and ${open.length - OPEN_SHOWN} more: `, el('a', { href, text: 'all open incidents (JSON)' })]),
    );
  }
  if (closed.length > 0) {
    host.appendChild(el('p', { cls: 'inchead' }, [el('b', { text: 'Recently closed' }), ', the newest first']));
    host.appendChild(el('ol', { cls: 'incidents closed' }, closed.map(closedItem)));
  }
}
