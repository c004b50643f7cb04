import type { FleetQuality, PageMap } from '../pageData.js';
import type { Card } from './card.js';
import { el } from './dom.js';
import { legend } from './legend.js';

/** Greys the part of the map after now ("not yet"): the future is not a hole. */
function notYet(canvas: Element, m: PageMap): void {
  for (const x of canvas.querySelectorAll('.notyet')) x.remove();
  const grid = canvas.querySelector('.grid');
  for (const r of m.notyet) {
    canvas.insertBefore(
      el('div', {
        cls: 'notyet',
        title: 'not yet: after now',
        style: `left:${r.left}px;top:${r.top}px;width:${r.width}px;height:${r.height}px`,
      }),
      grid,
    );
  }
}

/**
 * The card's local coverage map (`m`, null before any segment): the image with its day,
 * hour and minute labels. While the layout stays the same only the image and the "not
 * yet" shading change; a new layout keeps the reader's scroll position (u.mapPin: the
 * newest end unless they scrolled away from it).
 */
export function renderMap(u: Card, q: FleetQuality, m: PageMap | null | undefined): void {
  if (!m) {
    u.map.textContent = '';
    u.mapSig = null;
    if (q.scanned) u.map.appendChild(el('p', { cls: 'nomap', text: 'No map yet: no segment recorded.' }));
    return;
  }
  const sig = JSON.stringify([m.width, m.height, m.hourLabels, m.dayLabels]);
  const shown = u.map.querySelector('img');
  const shownCanvas = u.map.querySelector('.canvas');
  if (sig === u.mapSig && shown !== null && shownCanvas !== null) {
    shown.src = m.src;
    notYet(shownCanvas, m);
    return;
  }
  const old = u.map.querySelector('.mapscroll');
  const left = old ? old.scrollLeft : null;
  u.mapSig = sig;
  u.map.textContent = '';
  const days = el('div', { cls: 'days' });
  const hours = el('div', { cls: 'hours' });
  const ticks = el('div', { cls: 'yaxis', style: `height:${m.height}px` });
  m.dayLabels.forEach((d, i) => {
    days.appendChild(
      el('span', {
        style: `left:${d.at}px;${i === 0 ? `min-width:${d.size}px` : `width:${d.size}px`}`,
        title: d.title,
        text: i === 0 ? d.title : d.text,
      }),
    );
  });
  for (const l of m.hourLabels) hours.appendChild(el('span', { style: `left:${l.at}px`, title: l.title, text: l.text }));
  for (const t of m.minuteTicks) ticks.appendChild(el('span', { style: `top:${t.at}px`, title: t.title, text: t.text }));
  const img = el('img', { src: m.src, width: String(m.width), height: String(m.height), alt: m.alt });
  const canvas = el('div', { cls: 'canvas', style: `width:${m.width}px;height:${m.height}px` }, [
    img,
    el('div', { cls: 'grid', style: `background-size:${m.hourPx}px 100%` }),
  ]);
  notYet(canvas, m);
  const sc = el('div', { cls: 'scrollx mapscroll' }, [el('div', { cls: 'plot', style: `width:${m.width}px` }, [days, hours, canvas])]);
  const colMin = m.columnSeconds >= 120 ? `${m.columnSeconds / 60} min` : `${m.columnSeconds} s`;
  u.map.appendChild(
    el('figure', { cls: 'map' }, [
      el('div', { cls: 'mapwrap' }, [ticks, sc]),
      el('figcaption', null, [
        `This node's coverage map. Hours (UTC) left to right; each column is ${colMin}, read top to bottom. `,
        legend(false),
      ]),
    ]),
  );
  u.mapPin.attach(sc);
  if (left !== null) u.mapPin.keep(left);
  u.mapPin.settle();
}
