import { displayUtc } from '../format.js';
import type { FleetQuality, Pair } from '../pageData.js';
import { el } from './dom.js';

/**
 * A pair's state as the page colours it: the server's one judgement (src/coverage/severity.ts),
 * never the page's own. `wait`: no state yet (before the first pass), shown neutrally.
 */
export type StateClass = 'ok' | 'warn' | 'bad' | 'wait';

export function stateClass(q: FleetQuality): StateClass {
  return q.state ?? 'wait';
}

const WHAT =
  'ok: no hole. warn: only holes shorter than --long-hole. bad: a missing hour, a hole of --long-hole or longer, nothing recorded, ' +
  'a window that holds none of the recording, or (with --max-age) a recording that stopped.';

/**
 * The state and its reason in a badge, `BAD – 1 missing hour` or `not scanned yet`: into
 * `b` (a card's, kept), else a new one. `short`: the state's word only (the reason beside it).
 */
export function stateBadge(q: FleetQuality, b: HTMLSpanElement = el('span'), short = false): HTMLSpanElement {
  const word = q.state === null ? 'not scanned yet' : q.state.toUpperCase();
  b.className = `badge ${stateClass(q)}`;
  b.title = WHAT;
  b.textContent = short || q.state === null || q.reason === null ? word : `${word} – ${q.reason}`;
  return b;
}

const span = (p: Pair): string => `${displayUtc(p[0])} – ${displayUtc(p[1])} UTC`;

/**
 * The banner of a window that holds none of what was recorded (a placeholder
 * `--first-hour`/`--last-hour`), with both spans; null when the window holds some of it.
 */
export function windowBanner(q: FleetQuality): HTMLParagraphElement | null {
  if (!q.window_misses_recording) return null;
  return el('p', { cls: 'banner windowmiss', role: 'note' }, [
    el('b', { text: 'The window holds none of the recording.' }),
    ` Window: ${q.window === null ? 'none' : span(q.window)}. Recorded: ${q.recorded === null ? 'nothing' : span(q.recorded)}. `,
    'Check --first-hour and --last-hour.',
  ]);
}
