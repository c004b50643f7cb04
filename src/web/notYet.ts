import { SECOND_US } from '../coverage/types.js';
import type { MapGeometry } from './mapLayout.js';

/** A rectangle over the drawn map, CSS px. */
export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Pure: where the page greys out the map as "not yet": every pixel that starts at or after
 * `nowUs` (the rest of the current hour, and any later hour a --last-hour shows). The future
 * is not a hole; the PNG itself stays as docs/coverage.md (The map) paints it, this is drawn
 * over it. At most two rectangles: the rest of the column holding now, then every column
 * after it.
 */
export function notYetRects(g: MapGeometry, pixelSeconds: number, nowUs: number, scaleX: number, scaleY: number): Rect[] {
  const rows = g.height;
  const total = g.width * rows;
  const pixelUs = pixelSeconds * SECOND_US;
  const first = Math.max(0, Math.ceil((nowUs - g.origin) / pixelUs));
  if (first >= total) return [];
  const out: Rect[] = [];
  let col = Math.floor(first / rows);
  const row = first % rows;
  if (row > 0) {
    out.push({ left: col * scaleX, top: row * scaleY, width: scaleX, height: (rows - row) * scaleY });
    col += 1;
  }
  if (col < g.width) out.push({ left: col * scaleX, top: 0, width: (g.width - col) * scaleX, height: rows * scaleY });
  return out;
}
