import { peerCover, type NodeCoverage } from '../coverage/fleetUnion.js';
import { SECOND_US, type Interval } from '../coverage/types.js';
import type { StoredIncident } from '../history/historyRecords.js';
import { parseHolesQuery, type HolesQuery } from './coverageApi.js';
import type { FleetView } from './fleetView.js';
import { isoUtc } from './format.js';
import type { IncidentItem, IncidentPart } from './incidentItem.js';
import { interval } from './nodeSpans.js';

/** A parsed `/api/v1/incidents` query: the `/api/v1/holes` parameters and `state`. */
export interface IncidentsQuery extends HolesQuery {
  readonly state?: 'open' | 'closed';
}

/**
 * Validates `/api/v1/incidents` parameters: channel, quality, since, until as for
 * `/api/v1/holes` (a channel or quality the history holds counts as known), and `state`
 * (`open` or `closed`) at most once. Returns the query or the message for a 400.
 */
export function parseIncidentsQuery(
  params: URLSearchParams,
  known: readonly [string, string][],
): { query: IncidentsQuery } | { error: string } {
  const states = params.getAll('state');
  if (states.length > 1 || (states.length === 1 && states[0] !== 'open' && states[0] !== 'closed'))
    return { error: 'state must be given once, as open or closed' };
  const parsed = parseHolesQuery(params, known, ['state']);
  if ('error' in parsed) return parsed;
  return { query: { ...parsed.query, state: states[0] as 'open' | 'closed' | undefined } };
}

/** The peers that answer for a channel and quality, with what they cover (a peer that is down covers nothing). */
function peersOf(view: FleetView | null, channel: string, quality: string): NodeCoverage[] {
  const q = view?.qualities.find((x) => x.channel === channel && x.quality === quality);
  if (q === undefined) return [];
  return q.nodes.filter((n) => !n.self && n.state === 'up').map((n) => ({ node: n.node, covered: n.covered.map(interval) }));
}

const seconds = (us: number): number => us / SECOND_US;

function partsJson(parts: readonly Interval[], peers: readonly NodeCoverage[]): IncidentPart[] {
  return peerCover(parts, peers).map((p) => ({
    start: isoUtc(p.start),
    end: isoUtc(p.end),
    duration: seconds(p.end - p.start),
    peers: p.peers.map((x) => ({ node: x.node, cover: x.cover, covered: seconds(x.coveredUs) })),
  }));
}

/**
 * Pure: one incident as the API and the event stream give it. Times as everywhere in the
 * API (ISO-8601 UTC, µs), lengths in seconds. `fill_delay_seconds`: opened → closed for a
 * filled one (for one filled while segcov was down, an upper bound: the true fill lies in
 * `closed_while_down`), null otherwise. `open_parts`: what is still missing, each with the
 * peers that hold it (from the fleet view, as `/api/v1/holes?peers=1`).
 */
export function incidentJson(i: StoredIncident, view: FleetView | null): IncidentItem {
  const filled = i.closedHow === 'filled' || i.closedHow === 'filled_while_down';
  let openUs = 0;
  for (const p of i.open) openUs += p.end - p.start;
  return {
    id: i.id,
    channel: i.channel,
    quality: i.quality,
    state: i.closedAt === null ? 'open' : 'closed',
    last_event: i.event,
    updated_at: isoUtc(i.at),
    start: isoUtc(i.span.start),
    end: isoUtc(i.span.end),
    duration: seconds(i.span.end - i.span.start),
    opened_at: isoUtc(i.openedAt),
    opened_at_start: i.openedAtStart,
    closed_at: i.closedAt === null ? null : isoUtc(i.closedAt),
    closed_how: i.closedHow,
    closed_while_down:
      i.closedHow === 'filled_while_down' && i.closedAt !== null
        ? { from: i.downSince === null ? null : isoUtc(i.downSince), to: isoUtc(i.closedAt) }
        : null,
    fill_delay_seconds: filled && i.closedAt !== null ? seconds(i.closedAt - i.openedAt) : null,
    open_seconds: seconds(openUs),
    open_parts: partsJson(i.open, peersOf(view, i.channel, i.quality)),
  };
}

/** Pure: the incidents a query selects, in time order of their spans (then of opening). */
export function selectIncidents(all: readonly StoredIncident[], q: IncidentsQuery): StoredIncident[] {
  return all
    .filter(
      (i) =>
        (q.channel === undefined || i.channel === q.channel) &&
        (q.quality === undefined || i.quality === q.quality) &&
        (q.state === undefined || (q.state === 'open') === (i.closedAt === null)) &&
        (q.since === undefined || i.span.end > q.since) &&
        (q.until === undefined || i.span.start < q.until),
    )
    .sort(
      (a, b) =>
        a.channel.localeCompare(b.channel) || a.quality.localeCompare(b.quality) || a.span.start - b.span.start || a.openedAt - b.openedAt,
    );
}

/** Pure: the body of `/api/v1/incidents`. */
export function incidentsJson(all: readonly StoredIncident[], q: IncidentsQuery, view: FleetView | null, nowUs: number): unknown {
  return {
    generated_at: isoUtc(nowUs),
    since: q.since === undefined ? null : isoUtc(q.since),
    until: q.until === undefined ? null : isoUtc(q.until),
    state: q.state ?? null,
    peers: (view?.peers ?? []).map((p) => ({
      node: p.node,
      state: p.state,
      error: p.error,
      last_ok_at: p.last_ok_at === null ? null : isoUtc(p.last_ok_at),
    })),
    incidents: selectIncidents(all, q).map((i) => incidentJson(i, view)),
  };
}
