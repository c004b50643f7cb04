import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredIncident } from '../../src/history/historyRecords.js';
import { formatIsoMicros, readIsoMicros } from '../../src/time/isoFormat.js';
import { IncidentBook, RECENT_CLOSED } from '../../src/web/incidentBook.js';
import { incidentJson } from '../../src/web/incidentsApi.js';
import type { IncidentItem } from '../../src/web/incidentItem.js';

const S = 1_000_000;
const H10 = Date.UTC(2026, 10, 1, 10) * 1000;

/** An incident of `c`/`quality` as the API gives it: span from..to s after 10:00, opened at 12:00, last changed at `at` s after 12:00. */
function item(id: string, quality: string, from: number, closedAfter: number | null, at = closedAfter ?? 0): IncidentItem {
  const i: StoredIncident = {
    channel: 'c',
    quality,
    id,
    event: closedAfter === null ? 'opened' : 'closed',
    at: H10 + (7200 + at) * S,
    span: { start: H10 + from * S, end: H10 + (from + 5) * S },
    openedAt: H10 + 7200 * S,
    openedAtStart: false,
    open: closedAfter === null ? [{ start: H10 + from * S, end: H10 + (from + 5) * S }] : [],
    closedAt: closedAfter === null ? null : H10 + (7200 + closedAfter) * S,
    closedHow: closedAfter === null ? null : 'filled',
    downSince: null,
  };
  return incidentJson(i, null);
}

describe("the page's hole history (src/web/incidentBook.ts)", () => {
  it("reads the API's times back to the µs", () => {
    for (const us of [H10 + 123_456, 0, -1, -1_500_001, H10]) assert.equal(readIsoMicros(formatIsoMicros(us)), us);
    assert.ok(Number.isNaN(readIsoMicros('2026-11-01T10:00:00Z')), "only the API's own form");
  });

  it('open ones first by how long they are open; closed ones the newest close first, at most RECENT_CLOSED', () => {
    const book = new IncidentBook();
    for (let k = 0; k < RECENT_CLOSED + 3; k++) book.put(item(`closed-${k}`, 'source', 100 * k, 60 + k));
    book.put(item('open-late', 'source', 50, null));
    const early = { ...item('open-early', 'source', 2000, null), opened_at: formatIsoMicros(H10 + 7000 * S) };
    book.put(early);
    const { open, closed } = book.of('c', 'source');
    assert.deepEqual(
      open.map((x) => x.id),
      ['open-early', 'open-late'],
    );
    assert.equal(closed.length, RECENT_CLOSED);
    assert.equal(closed[0].id, `closed-${RECENT_CLOSED + 2}`);
    assert.equal(closed.at(-1)?.id, 'closed-3');
    assert.deepEqual(book.of('c', '480p'), { open: [], closed: [] }, 'another quality has none');
  });

  it('an id is one incident only within its channel and quality', () => {
    const book = new IncidentBook();
    book.put(item('same', 'source', 0, null));
    book.put(item('same', '480p', 0, 30));
    assert.equal(book.of('c', 'source').open.length, 1);
    assert.equal(book.of('c', '480p').closed.length, 1);
  });

  it('a newer copy replaces the held one; an older one (a list fetched while events flowed) does not', () => {
    const book = new IncidentBook();
    assert.equal(book.put(item('x', 'source', 0, null)), true);
    assert.equal(book.of('c', 'source').open.length, 1);
    assert.equal(book.put(item('x', 'source', 0, 90)), true, 'closed later');
    assert.deepEqual(book.of('c', 'source').open, []);
    assert.equal(book.of('c', 'source').closed[0].closed_how, 'filled');
    assert.equal(book.put(item('x', 'source', 0, null, 30)), false, 'an open copy from before the close');
    assert.deepEqual(book.of('c', 'source').open, [], 'the close stands');
  });
});
