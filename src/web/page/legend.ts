import { el } from './dom.js';

/** The colour key under the strips (`strips`: with the "node down" grey) and under the map. */
export function legend(strips: boolean): HTMLUListElement {
  const item = (cls: string, text: string): HTMLLIElement => el('li', null, [el('i', { cls: `sw ${cls}` }), text]);
  return el('ul', { cls: 'legend', 'aria-label': 'Legend' }, [
    item('blue', 'recorded'),
    item('orange', 'only partial or suspect segments'),
    item('white', 'hole: nothing recorded'),
    item('future', 'not yet (after now)'),
    strips ? item('down', 'node down or not recording this') : null,
  ]);
}
