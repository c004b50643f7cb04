import type { ClosedHow, HoleIncident, LifeEventKind } from '../coverage/holeLife.js';
import type { Interval } from '../coverage/types.js';
import { pairKey } from '../store/pairKey.js';

/**
 * The hole history file's records: one JSON object a line, each complete on its own, times
 * as integer µs since the epoch (exact; the API formats them). Kinds:
 * - `incident`: an incident's whole state after an event (`event`), with its channel and quality;
 *   the last record of an id is its state;
 * - `alive`: the daemon was running then (written every minute: bounds a "while down" span);
 * - `stop`: a clean stop.
 */
export const RECORD_VERSION = 1;

/** An incident of one channel and quality, as kept and served. */
export interface StoredIncident extends HoleIncident {
  readonly channel: string;
  readonly quality: string;
  /** The event of its last record. */
  readonly event: LifeEventKind;
  /** µs of that event. */
  readonly at: number;
}

export type HistoryRecord =
  | { readonly kind: 'incident'; readonly incident: StoredIncident }
  | { readonly kind: 'alive' | 'stop'; readonly at: number };

const pair = (i: Interval): [number, number] => [i.start, i.end];

/** One record as its line (newline included). */
export function encodeRecord(r: HistoryRecord): string {
  if (r.kind !== 'incident') return `${JSON.stringify({ v: RECORD_VERSION, kind: r.kind, at_us: r.at })}\n`;
  const i = r.incident;
  return `${JSON.stringify({
    v: RECORD_VERSION,
    kind: 'incident',
    event: i.event,
    at_us: i.at,
    channel: i.channel,
    quality: i.quality,
    id: i.id,
    start_us: i.span.start,
    end_us: i.span.end,
    opened_at_us: i.openedAt,
    opened_at_start: i.openedAtStart,
    open_us: i.open.map(pair),
    closed_at_us: i.closedAt,
    closed_how: i.closedHow,
    down_since_us: i.downSince,
  })}\n`;
}

const EVENTS: ReadonlySet<string> = new Set(['opened', 'shrunk', 'split', 'grew', 'closed']);
const HOWS: ReadonlySet<string> = new Set(['filled', 'filled_while_down', 'left_window']);
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const intOrNull = (x: unknown): x is number | null => x === null || isInt(x);

function spans(x: unknown): Interval[] | null {
  if (!Array.isArray(x)) return null;
  const out: Interval[] = [];
  for (const p of x) {
    if (!Array.isArray(p) || p.length !== 2 || !isInt(p[0]) || !isInt(p[1]) || p[1] <= p[0]) return null;
    out.push({ start: p[0], end: p[1] });
  }
  return out;
}

/** Parses one line; null when it is not a record of this version (the caller decides what that means). */
export function decodeRecord(line: string): HistoryRecord | null {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    o = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  if (o.v !== RECORD_VERSION || !isInt(o.at_us)) return null;
  if (o.kind === 'alive' || o.kind === 'stop') return { kind: o.kind, at: o.at_us };
  if (o.kind !== 'incident') return null;
  const open = spans(o.open_us);
  if (
    typeof o.event !== 'string' ||
    !EVENTS.has(o.event) ||
    typeof o.channel !== 'string' ||
    typeof o.quality !== 'string' ||
    typeof o.id !== 'string' ||
    !isInt(o.start_us) ||
    !isInt(o.end_us) ||
    o.end_us <= o.start_us ||
    !isInt(o.opened_at_us) ||
    typeof o.opened_at_start !== 'boolean' ||
    open === null ||
    !intOrNull(o.closed_at_us) ||
    !intOrNull(o.down_since_us) ||
    !(o.closed_how === null || (typeof o.closed_how === 'string' && HOWS.has(o.closed_how))) ||
    (o.closed_at_us === null) !== (o.closed_how === null)
  )
    return null;
  return {
    kind: 'incident',
    incident: {
      channel: o.channel,
      quality: o.quality,
      id: o.id,
      event: o.event as LifeEventKind,
      at: o.at_us,
      span: { start: o.start_us, end: o.end_us },
      openedAt: o.opened_at_us,
      openedAtStart: o.opened_at_start,
      open,
      closedAt: o.closed_at_us,
      closedHow: o.closed_how as ClosedHow | null,
      downSince: o.down_since_us,
    },
  };
}

/** What a file's text says: the records, and whether its last line was torn or a line was bad. */
export interface ParsedHistory {
  readonly records: HistoryRecord[];
  /** The last line had no newline and did not parse: a write cut short (ignored). */
  readonly torn: boolean;
  /** 1-based number of the first line that is not a record (not the torn last one), or null. */
  readonly badLine: number | null;
}

/** Pure: the records of a history file's text. */
export function parseHistory(text: string): ParsedHistory {
  const lines = text.split('\n');
  const unterminated = lines.pop() ?? '';
  const records: HistoryRecord[] = [];
  for (let n = 0; n < lines.length; n++) {
    if (lines[n] === '') continue;
    const r = decodeRecord(lines[n]);
    if (r === null) return { records, torn: false, badLine: n + 1 };
    records.push(r);
  }
  if (unterminated === '') return { records, torn: false, badLine: null };
  // a last line without its newline is a record whose write was cut short, even if it parses
  return { records, torn: true, badLine: null };
}

/** The state a file's records leave: each incident's last record, and the time of the last record. */
export interface HistoryState {
  readonly incidents: Map<string, StoredIncident>;
  /** µs of the newest record of any kind, or null. */
  readonly lastAt: number | null;
}

export const incidentKey = (channel: string, quality: string, id: string): string => `${pairKey(channel, quality)}\u0000${id}`;

/** Pure: folds records into the state they leave. */
export function foldHistory(records: readonly HistoryRecord[]): HistoryState {
  const incidents = new Map<string, StoredIncident>();
  let lastAt: number | null = null;
  for (const r of records) {
    const at = r.kind === 'incident' ? r.incident.at : r.at;
    lastAt = lastAt === null ? at : Math.max(lastAt, at);
    if (r.kind === 'incident') incidents.set(incidentKey(r.incident.channel, r.incident.quality, r.incident.id), r.incident);
  }
  return { incidents, lastAt };
}

/**
 * Pure: the incidents a compaction keeps: every open one, whatever its age, and the
 * closed ones closed at or after `keepSinceUs`, at most `maxClosed` of them (the newest).
 */
export function keptIncidents(all: Iterable<StoredIncident>, keepSinceUs: number, maxClosed: number): StoredIncident[] {
  const open: StoredIncident[] = [];
  const closed: StoredIncident[] = [];
  for (const i of all) {
    if (i.closedAt === null) open.push(i);
    else if (i.closedAt >= keepSinceUs) closed.push(i);
  }
  closed.sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0));
  return [...open, ...closed.slice(0, maxClosed)].sort((a, b) => a.at - b.at);
}
