import type { HourResult } from '../coverage/hourAnalysis.js';

/** A full pass's results after meeting the live state. */
export interface MergedPass {
  /** The hours to hold, in hour order. */
  readonly hours: HourResult[];
  /** Hours that changed while the pass ran: the live copy was kept; re-read them. */
  readonly rereads: string[];
  /** Hours where disk and the trusted live state differed: missed watch events. */
  readonly mismatched: string[];
}

/**
 * Takes a pass's results (`fresh`) over the held ones (`held`), except for hours that
 * changed while it ran (`changedDuringPass`): the live copy is newer there; and hours the
 * pass found there but could not read (`unreadable`): they keep their held values, as an
 * unreadable base does (unreadable is not gone). When the live state is trusted
 * (`compareWithLive`), every other hour where the two differ is a missed event. Pure.
 */
export function mergePass(
  fresh: readonly HourResult[],
  held: readonly HourResult[],
  changedDuringPass: (hour: string) => boolean,
  compareWithLive: boolean,
  unreadable: ReadonlySet<string> = new Set(),
): MergedPass {
  const disk = new Map(fresh.map((h) => [h.hour, h]));
  const live = new Map(held.map((h) => [h.hour, h]));
  const hours: HourResult[] = [];
  const rereads: string[] = [];
  const mismatched: string[] = [];
  for (const hour of new Set([...disk.keys(), ...live.keys()])) {
    const mine = live.get(hour);
    const read = disk.get(hour);
    if (changedDuringPass(hour)) {
      const keep = mine ?? read;
      if (keep !== undefined) hours.push(keep);
      rereads.push(hour);
      continue;
    }
    if (read === undefined && mine !== undefined && unreadable.has(hour)) {
      hours.push(mine);
      continue;
    }
    if (compareWithLive && !sameHour(mine, read)) mismatched.push(hour);
    if (read !== undefined) hours.push(read);
  }
  hours.sort((a, b) => a.start - b.start);
  return { hours, rereads, mismatched };
}

function sameHour(a: HourResult | undefined, b: HourResult | undefined): boolean {
  if (a === undefined || b === undefined || a === b) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}
