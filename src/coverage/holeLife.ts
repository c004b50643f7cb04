import { mergeSpans } from './spans.js';
import type { Interval } from './types.js';
import type { WindowReport } from './windowHoles.js';

/**
 * The life of a hole, per channel and quality (docs/coverage.md, "A hole's life"): pure
 * rules, no clock and no I/O. The holes come from the one window-hole definition
 * (windowHoles.ts); only those **behind the live edge** (some covered time after them) are
 * incidents, so the stretch the recorder has simply not written yet never is one, and a gap
 * of at most 10 ms never is (it is no window hole).
 */

/** How an incident ended. */
export type ClosedHow =
  /** Every part is covered now. */
  | 'filled'
  /** Covered at the first pass after a start: filled while segcov was down (between `downSince` and `closedAt`). */
  | 'filled_while_down'
  /** Its last parts are no longer in the window (old hours removed, `--first-hour` moved): not filled. */
  | 'left_window';

export interface HoleIncident {
  /** Unique per channel and quality: `OPENED_AT_US-START_US`. */
  readonly id: string;
  /** The hole when first seen (µs), widened when it grew. */
  readonly span: Interval;
  /** µs: when segcov first saw it behind the live edge. */
  readonly openedAt: number;
  /** First seen by the first pass after a start: it may be older (opened while segcov was down). */
  readonly openedAtStart: boolean;
  /** The parts still open, in time order; empty once closed. */
  readonly open: readonly Interval[];
  readonly closedAt: number | null;
  readonly closedHow: ClosedHow | null;
  /** For `filled_while_down`: µs of the last record before the stop (null: no earlier record). */
  readonly downSince: number | null;
}

/** What happened to an incident in one step. */
export type LifeEventKind = 'opened' | 'shrunk' | 'split' | 'grew' | 'closed';

export interface LifeEvent {
  readonly kind: LifeEventKind;
  /** The incident after the event. */
  readonly incident: HoleIncident;
}

/** The open incidents of one channel and quality, by span start; spans never overlap. */
export interface PairLife {
  readonly open: readonly HoleIncident[];
}

export const EMPTY_LIFE: PairLife = { open: [] };

/** The part of a window report the rules read. */
export interface LifeView {
  /** Window holes behind the live edge, in time order. */
  readonly holes: readonly Interval[];
  readonly window: Interval | null;
  /** End of the last covered span (µs), or null when nothing is covered. */
  readonly liveEdge: number | null;
}

/** Pure: the incident-worthy part of a raw window report: holes with covered time after them. */
export function lifeView(r: WindowReport): LifeView {
  const last = r.covered[r.covered.length - 1];
  const liveEdge = last === undefined ? null : last.end;
  const holes = liveEdge === null ? [] : r.holes.filter((h) => h.end <= liveEdge);
  return { holes, window: r.window, liveEdge };
}

export interface StepOptions {
  /**
   * The first step after a start that found a history: parts gone since are closed
   * `filled_while_down`, from this µs (the last record before the stop; null: unknown).
   */
  readonly downSince?: number | null;
  /** The first step after a start: holes seen for the first time are marked openedAtStart. */
  readonly atStart?: boolean;
}

function sameSpans(a: readonly Interval[], b: readonly Interval[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].start !== b[i].start || a[i].end !== b[i].end) return false;
  return true;
}

function length(spans: readonly Interval[]): number {
  let n = 0;
  for (const s of spans) n += s.end - s.start;
  return n;
}

/** True when every part of `parts` lies inside [a, b]. */
function allWithin(parts: readonly Interval[], a: number, b: number): boolean {
  return parts.every((p) => p.start >= a && p.end <= b);
}

interface Working {
  readonly before: HoleIncident;
  span: Interval;
  parts: Interval[];
}

/**
 * Pure: one step of the life rules for one channel and quality at `now` (µs).
 *
 * - A hole behind the live edge that meets no open incident **opens** one.
 * - An open incident's parts become the current holes inside its span: fewer seconds is
 *   **shrunk**, more parts is **split**; a current hole reaching past the spans of the
 *   incidents it meets widens the nearest one (**grew**: more was lost next to it).
 * - No part left: **closed** — `filled` when its last parts lie in the window before the
 *   live edge (so they are covered), `left_window` when they are simply no longer shown.
 *
 * Cost: proportional to the holes and open incidents, not to the hours.
 */
export function stepLife(prev: PairLife, view: LifeView, now: number, opts: StepOptions = {}): { life: PairLife; events: LifeEvent[] } {
  const work: Working[] = prev.open.map((i) => ({ before: i, span: i.span, parts: [] }));
  const fresh: Interval[] = [];
  let j = 0;
  for (const h of view.holes) {
    while (j < work.length && work[j].span.end <= h.start) j++;
    const met: Working[] = [];
    for (let k = j; k < work.length && work[k].span.start < h.end; k++) met.push(work[k]);
    if (met.length === 0) {
      fresh.push(h);
      continue;
    }
    // the hole's pieces inside each met span, and the pieces between or beyond them
    let cur = h.start;
    met.forEach((w, n) => {
      const s = Math.max(h.start, w.span.start);
      const e = Math.min(h.end, w.span.end);
      if (s > cur) {
        // a piece before this span: the incident before it grows, or this one for the first
        const to = n === 0 ? w : met[n - 1];
        to.parts.push({ start: cur, end: s });
        to.span = { start: Math.min(to.span.start, cur), end: Math.max(to.span.end, s) };
      }
      if (e > s) w.parts.push({ start: s, end: e });
      cur = Math.max(cur, e);
    });
    if (h.end > cur) {
      const last = met[met.length - 1];
      last.parts.push({ start: cur, end: h.end });
      last.span = { start: last.span.start, end: Math.max(last.span.end, h.end) };
    }
  }
  const events: LifeEvent[] = [];
  const open: HoleIncident[] = [];
  const w0 = view.window;
  for (const w of work) {
    const parts = mergeSpans(w.parts);
    const i = w.before;
    if (parts.length === 0) {
      const filled = w0 !== null && view.liveEdge !== null && allWithin(i.open, w0.start, view.liveEdge);
      const down = opts.downSince !== undefined;
      const closed: HoleIncident = {
        ...i,
        open: [],
        closedAt: now,
        closedHow: !filled ? 'left_window' : down ? 'filled_while_down' : 'filled',
        downSince: filled && down ? (opts.downSince ?? null) : null,
      };
      events.push({ kind: 'closed', incident: closed });
      continue;
    }
    const spanMoved = w.span.start !== i.span.start || w.span.end !== i.span.end;
    if (!spanMoved && sameSpans(parts, i.open)) {
      open.push(i);
      continue;
    }
    const next: HoleIncident = { ...i, span: w.span, open: parts };
    open.push(next);
    const grew = spanMoved || length(parts) > length(i.open);
    events.push({ kind: grew ? 'grew' : parts.length > i.open.length ? 'split' : 'shrunk', incident: next });
  }
  for (const h of fresh) {
    const incident: HoleIncident = {
      id: `${now}-${h.start}`,
      span: h,
      openedAt: now,
      openedAtStart: opts.atStart === true,
      open: [h],
      closedAt: null,
      closedHow: null,
      downSince: null,
    };
    open.push(incident);
    events.push({ kind: 'opened', incident });
  }
  open.sort((a, b) => a.span.start - b.span.start);
  return { life: { open }, events };
}

/** Pure: µs since the oldest open incident opened, or null when none is open. */
export function oldestOpenAge(life: PairLife, now: number): number | null {
  let oldest: number | null = null;
  for (const i of life.open) if (oldest === null || i.openedAt < oldest) oldest = i.openedAt;
  return oldest === null ? null : Math.max(0, now - oldest);
}
