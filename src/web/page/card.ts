import type { FleetQuality } from '../pageData.js';
import { el } from './dom.js';
import { legend } from './legend.js';

/**
 * One channel and quality's card (`article.quality`): its parts, built once, and what the
 * reader did there, kept across redraws.
 */
export interface Card {
  readonly el: HTMLElement;
  readonly facts: HTMLDivElement;
  /** The fleet strips' figure: names beside, the canvas in its own scroll box, the hour picked. */
  readonly fleet: HTMLElement;
  readonly labels: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  readonly scroll: HTMLDivElement;
  readonly selText: HTMLParagraphElement;
  readonly holes: HTMLDivElement;
  readonly map: HTMLDivElement;
  /** The data drawn last (null until the first draw). */
  q: FleetQuality | null;
  /** The holes list's page, 0 the newest. */
  page: number;
  /** Start (µs) of the hour picked on the strips, or null. */
  sel: number | null;
  /** What the map's labels were built from: while it stays the same, only the image is swapped. */
  mapSig: string | null;
  /** Until the first draw, which scrolls the strips to the newest hour. */
  first: boolean;
  /** CSS px an hour of the strips, as last drawn. */
  hourPx: number;
}

/** The empty card of quality `q`, the `i`th of the data (its anchor `#q-i`). */
export function buildCard(q: FleetQuality, i: number): Card {
  const labels = el('div', { cls: 'striplabels' });
  const canvas = el('canvas', { cls: 'strips', role: 'img' });
  const scroll = el('div', { cls: 'scrollx stripscroll' }, [canvas]);
  const selText = el('p', { cls: 'selhour' });
  const fleet = el('figure', { cls: 'fleet' }, [el('div', { cls: 'stripwrap' }, [labels, scroll]),
    el('figcaption', null, ['One strip per node on one time axis (UTC), and the fleet: covered where any node covers. Click an hour to compare. ', legend(true)]), selText]);
  const card: Card = {
    el: el('article', { cls: 'quality', id: `q-${i}` }),
    facts: el('div'), fleet, labels, canvas, scroll, selText,
    holes: el('div', { cls: 'holelist' }),
    map: el('div', { cls: 'maphost' }),
    q: null, page: 0, sel: null, mapSig: null, first: true, hourPx: 0,
  };
  card.el.appendChild(el('h3', { text: q.quality }));
  for (const part of [card.facts, card.fleet, card.holes, card.map]) card.el.appendChild(part);
  return card;
}
