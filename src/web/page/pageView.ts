import { displayUtc } from '../format.js';
import type { FleetQuality } from '../pageData.js';
import { buildCard, type Card } from './card.js';
import { byId, el } from './dom.js';
import { renderFacts } from './facts.js';
import { renderHoles } from './holes.js';
import { renderIncidents, type IncidentFeed } from './incidents.js';
import { renderMap } from './map.js';
import { renderNodes, renderOverview } from './overview.js';
import type { PageState } from './pageState.js';
import { stateBadge, stateClass, windowBanner } from './stateBadge.js';
import { draw, listenStrips } from './strips.js';
import { pairKey } from '../../store/pairKey.js';

/**
 * The page drawn from its data: the header, the overview, and per channel a section of
 * cards, one per quality. Cards are built once and kept (keyed by channel and quality), so
 * a redraw keeps what the reader did: scroll positions, the hour picked, the holes page.
 */
export class PageView {
  private readonly cards = new Map<string, Card>();
  /** Per channel, the box its cards go in. */
  private readonly sections = new Map<string, HTMLDivElement>();

  constructor(
    private readonly s: PageState,
    private readonly app: HTMLElement,
    private readonly incidents: IncidentFeed,
  ) {}

  render(): void {
    const { data } = this.s;
    const asof = byId('asof');
    asof.textContent = `${displayUtc(Math.floor(data.generated_at / 1e6) * 1e6)} UTC`;
    asof.setAttribute('datetime', new Date(data.generated_at / 1000).toISOString());
    renderNodes(this.s);
    const banner = document.getElementById('notready');
    if (!data.ready && banner === null) {
      this.app.insertBefore(
        el('p', { cls: 'banner', id: 'notready', text: 'First pass still running: figures below are incomplete.' }),
        this.app.firstChild,
      );
    }
    if (data.ready && banner !== null) banner.remove();
    renderOverview(this.s, this.app);
    const drawn = data.qualities.map((q, i) => {
      const u = this.card(q, i);
      u.q = q;
      u.el.className = `quality ${stateClass(q)}`;
      stateBadge(q, u.state);
      const banner = windowBanner(q);
      u.notice.replaceChildren(...(banner === null ? [] : [banner]));
      renderFacts(this.s, u.facts, q);
      draw(this.s, u);
      renderHoles(this.s, u, q);
      renderIncidents(this.s, u, this.incidents, q);
      renderMap(u, q, data.maps[i]);
      return u;
    });
    // once every card is in place (a card added beside another narrows it): to the newest end, where followed
    for (const u of drawn) {
      u.stripPin.settle();
      u.mapPin.settle();
    }
    document.body.setAttribute('data-generated', String(data.generated_at));
  }

  /** Redraws every card's strips: "not yet" shrinks as time passes. */
  redrawStrips(): void {
    for (const u of this.cards.values()) {
      draw(this.s, u);
      u.stripPin.settle();
    }
  }

  /** Redraws every card's incidents view (the hole history changed). */
  redrawIncidents(): void {
    for (const u of this.cards.values()) if (u.q !== null) renderIncidents(this.s, u, this.incidents, u.q);
  }

  /** The card of `q`, built (in its channel's section, made when first needed) the first time. */
  private card(q: FleetQuality, i: number): Card {
    const key = pairKey(q.channel, q.quality);
    const known = this.cards.get(key);
    if (known !== undefined) return known;
    let cards = this.sections.get(q.channel);
    if (cards === undefined) {
      cards = el('div', { cls: 'cards' });
      this.app.appendChild(el('section', { cls: 'channel' }, [el('h2', { text: q.channel }), cards]));
      this.sections.set(q.channel, cards);
    }
    const u = buildCard(q, i);
    cards.appendChild(u.el);
    listenStrips(this.s, u);
    this.cards.set(key, u);
    return u;
  }
}
