import { pairKey } from '../store/pairKey.js';
import { readIsoMicros } from '../time/isoFormat.js';
import type { IncidentItem } from './incidentItem.js';

/** How many closed incidents the page shows per channel and quality: the most recently closed. */
export const RECENT_CLOSED = 10;

export interface PairIncidents {
  /** Open ones, the longest open first. */
  readonly open: readonly IncidentItem[];
  /** The most recently closed ones (at most RECENT_CLOSED), the newest close first. */
  readonly closed: readonly IncidentItem[];
}

const NONE: PairIncidents = { open: [], closed: [] };
const us = readIsoMicros;

/**
 * The hole history as the status page holds it: the newest copy of each incident, by
 * channel, quality and id (an id is unique only within its channel and quality). The list
 * (`/api/v1/incidents`) is fetched while `incident` events flow, so copies can come out of
 * order: an older copy never replaces a newer one. Nothing imports Node: the page's script
 * uses it.
 */
export class IncidentBook {
  private readonly pairs = new Map<string, Map<string, IncidentItem>>();
  /** What `of` answered, per pair, until that pair's next change (the page asks at every redraw). */
  private readonly cache = new Map<string, PairIncidents>();

  /** Takes a copy of an incident; false when the one held is newer (nothing changed). */
  put(x: IncidentItem): boolean {
    const key = pairKey(x.channel, x.quality);
    let held = this.pairs.get(key);
    if (held === undefined) {
      held = new Map();
      this.pairs.set(key, held);
    }
    const old = held.get(x.id);
    if (old !== undefined && us(old.updated_at) > us(x.updated_at)) return false;
    held.set(x.id, x);
    this.cache.delete(key);
    return true;
  }

  /** The open incidents and the recently closed ones of a channel and quality. */
  of(channel: string, quality: string): PairIncidents {
    const key = pairKey(channel, quality);
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    const held = this.pairs.get(key);
    if (held === undefined) return NONE;
    const all = [...held.values()];
    const open = all.filter((x) => x.closed_at === null).sort((a, b) => us(a.opened_at) - us(b.opened_at) || us(a.start) - us(b.start));
    const closed = all
      .filter((x) => x.closed_at !== null)
      .sort((a, b) => us(b.closed_at ?? '') - us(a.closed_at ?? '') || us(b.start) - us(a.start))
      .slice(0, RECENT_CLOSED);
    const answer = { open, closed };
    this.cache.set(key, answer);
    return answer;
  }
}
