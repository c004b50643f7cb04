import type { HoleOrder } from '../../coverage/severity.js';
import type { FleetQuality } from '../pageData.js';
import { el } from './dom.js';
import { EndPin } from './endPin.js';

/**
 * One channel and quality's card (`article.quality`): its parts, built once, and what the
 * reader did there, kept across redraws.
 */
export interface Card {
  readonly el: HTMLElement;
  /** The state badge beside the quality's name. */
  readonly state: HTMLSpanElement;
  /** Where the banner of a window that misses the recording goes. */
  readonly notice: HTMLDivElement;
  readonly facts: HTMLDivElement;
  /** The strips' figure: names beside, the canvas in its own scroll box, the hour picked. */
  readonly fleet: HTMLElement;
  readonly labels: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  readonly scroll: HTMLDivElement;
  /** The strips' caption (it says more with peers). */
  readonly caption: HTMLElement;
  readonly selText: HTMLParagraphElement;
  readonly holes: HTMLDivElement;
  /** The hole history: open incidents, then recently closed ones (live page only). */
  readonly incidents: HTMLDivElement;
  readonly map: HTMLDivElement;
  /** Keep the strips and the map at the newest end until the reader scrolls away. */
  readonly stripPin: EndPin;
  readonly mapPin: EndPin;
  /** The data drawn last (null until the first draw). */
  q: FleetQuality | null;
  /** The holes list's order and page (0 the first). */
  order: HoleOrder;
  page: number;
  /** Start (µs) of the hour picked on the strips, or null. */
  sel: number | null;
  /** What the map's labels were built from: while it stays the same, only the image is swapped. */
  mapSig: string | null;
  /** Whether the strips' caption was written for a node with peers (null: not yet written). */
  captionPeers: boolean | null;
  /** CSS px an hour of the strips, as last drawn. */
  hourPx: number;
}

/** The empty card of quality `q`, the `i`th of the data (its anchor `#q-i`). */
export function buildCard(q: FleetQuality, i: number): Card {
  const labels = el('div', { cls: 'striplabels' });
  const canvas = el('canvas', { cls: 'strips', role: 'img' });
  const scroll = el('div', { cls: 'scrollx stripscroll' }, [canvas]);
  const selText = el('p', { cls: 'selhour' });
  const caption = el('figcaption');
  const fleet = el('figure', { cls: 'fleet' }, [el('div', { cls: 'stripwrap' }, [labels, scroll]), caption, selText]);
  const state = el('span', { cls: 'badge wait' });
  const card: Card = {
    el: el('article', { cls: 'quality wait', id: `q-${i}` }),
    state,
    notice: el('div', { cls: 'notice' }),
    facts: el('div'),
    fleet,
    labels,
    canvas,
    scroll,
    caption,
    selText,
    holes: el('div', { cls: 'holelist' }),
    incidents: el('div', { cls: 'incidentlist' }),
    map: el('div', { cls: 'maphost' }),
    stripPin: new EndPin(),
    mapPin: new EndPin(),
    q: null,
    order: 'length',
    page: 0,
    sel: null,
    mapSig: null,
    captionPeers: null,
    hourPx: 0,
  };
  card.stripPin.attach(scroll);
  for (const part of [el('h3', { text: q.quality }), state, card.notice, card.facts, card.fleet, card.holes, card.incidents, card.map])
    card.el.appendChild(part);
  return card;
}
