import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredIncident } from '../../src/history/historyRecords.js';
import type { FleetView } from '../../src/web/fleetView.js';
import { incidentJson, incidentsJson, parseIncidentsQuery, selectIncidents } from '../../src/web/incidentsApi.js';

const S = 1_000_000;
const H10 = Date.UTC(2026, 10, 1, 10) * 1000;

function incident(
  id: string,
  quality: string,
  from: number,
  to: number,
  closedAt: number | null,
  how: StoredIncident['closedHow'] = 'filled',
): StoredIncident {
  return {
    channel: 'c',
    quality,
    id,
    event: closedAt === null ? 'shrunk' : 'closed',
    at: closedAt ?? H10 + 7300 * S,
    span: { start: H10 + from * S, end: H10 + to * S },
    openedAt: H10 + 7200 * S,
    openedAtStart: false,
    open: closedAt === null ? [{ start: H10 + (from + 10) * S, end: H10 + to * S }] : [],
    closedAt,
    closedHow: closedAt === null ? null : how,
    downSince: how === 'filled_while_down' ? H10 + 7250 * S : null,
  };
}

/** A fleet view where peer b (up) holds 10:01:00-10:01:30 and peer d is down. */
const view = {
  v: 1,
  node: 'a',
  generated_at: H10,
  ready: true,
  peers: [
    { node: 'b', url: 'http://b', state: 'up', error: null, last_ok_at: H10 },
    { node: 'd', url: 'http://d', state: 'down', error: 'refused', last_ok_at: null },
  ],
  qualities: [
    {
      channel: 'c',
      quality: 'source',
      nodes: [
        { node: 'a', self: true, state: 'up', error: null, window: null, covered: [], partial: [] },
        { node: 'b', self: false, state: 'up', error: null, window: null, covered: [[H10 + 60 * S, H10 + 90 * S]], partial: [] },
        { node: 'd', self: false, state: 'down', error: 'refused', window: null, covered: [[H10, H10 + 3600 * S]], partial: [] },
      ],
    },
  ],
} as unknown as FleetView;

describe('/api/v1/incidents (src/web/incidentsApi.ts)', () => {
  it('an open incident: its parts still open, each with the peers that hold it (a peer that is down holds nothing)', () => {
    const j = incidentJson(incident('x', 'source', 50, 100, null), view);
    assert.equal(j.state, 'open');
    assert.equal(j.start, '2026-11-01T10:00:50.000000Z');
    assert.equal(j.end, '2026-11-01T10:01:40.000000Z');
    assert.equal(j.opened_at, '2026-11-01T12:00:00.000000Z');
    assert.equal(j.closed_at, null);
    assert.equal(j.fill_delay_seconds, null);
    assert.equal(j.open_seconds, 40);
    assert.deepEqual(j.open_parts, [
      {
        start: '2026-11-01T10:01:00.000000Z',
        end: '2026-11-01T10:01:40.000000Z',
        duration: 40,
        peers: [{ node: 'b', cover: 'partial', covered: 30 }],
      },
    ]);
  });

  it('closed ones carry their fill delay; one filled while down the bounds of the outage', () => {
    const filled = incidentJson(incident('y', 'source', 0, 10, H10 + 7260 * S), view);
    assert.equal(filled.fill_delay_seconds, 60);
    assert.equal(filled.closed_while_down, null);
    const down = incidentJson(incident('z', 'source', 0, 10, H10 + 7500 * S, 'filled_while_down'), null);
    assert.deepEqual(down.closed_while_down, { from: '2026-11-01T12:00:50.000000Z', to: '2026-11-01T12:05:00.000000Z' });
    assert.equal(down.fill_delay_seconds, 300);
    const left = incidentJson(incident('w', 'source', 0, 10, H10 + 7500 * S, 'left_window'), null);
    assert.equal(left.fill_delay_seconds, null);
  });

  it('filters by channel, quality, state and the span meeting [since, until)', () => {
    const all = [
      incident('late', 'source', 1000, 1100, null),
      incident('early', 'source', 0, 10, H10 + 7260 * S),
      incident('other', '480p', 0, 10, null),
    ];
    assert.deepEqual(
      selectIncidents(all, {}).map((i) => i.id),
      ['other', 'early', 'late'],
    );
    assert.deepEqual(
      selectIncidents(all, { quality: 'source', state: 'open' }).map((i) => i.id),
      ['late'],
    );
    assert.deepEqual(
      selectIncidents(all, { state: 'closed' }).map((i) => i.id),
      ['early'],
    );
    assert.deepEqual(
      selectIncidents(all, { since: H10 + 10 * S }).map((i) => i.id),
      ['late'],
    );
    assert.deepEqual(
      selectIncidents(all, { until: H10 + 10 * S, quality: 'source' }).map((i) => i.id),
      ['early'],
    );
    const body = incidentsJson(all, { state: 'open' }, view, H10) as { state: string; peers: unknown[]; incidents: unknown[] };
    assert.equal(body.state, 'open');
    assert.equal(body.incidents.length, 2);
    assert.deepEqual(body.peers[1], { node: 'd', state: 'down', error: 'refused', last_ok_at: null });
  });

  it('rejects what it does not know with the message for a 400', () => {
    const known: [string, string][] = [['c', 'source']];
    const q = (s: string) => parseIncidentsQuery(new URLSearchParams(s), known);
    assert.deepEqual(q('state=open&channel=c'), { query: { channel: 'c', state: 'open' } });
    assert.deepEqual(q('state=gone'), { error: 'state must be given once, as open or closed' });
    assert.deepEqual(q('state=open&state=closed'), { error: 'state must be given once, as open or closed' });
    assert.deepEqual(q('peers=1'), { error: 'unknown parameter "peers" (expected channel, quality, since, until, state)' });
    assert.deepEqual(q('channel=x'), { error: 'channel "x" is not checked by this node' });
    assert.deepEqual(q('since=yesterday'), { error: 'since: "yesterday" is not an ISO-8601 time' });
  });
});
