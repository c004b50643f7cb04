import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { SECOND_US } from '../../src/coverage/types.js';
import { notYetRects } from '../../src/web/notYet.js';
import { summarizeQuality } from '../../src/web/qualitySummary.js';
import { createWebContext, pageData } from '../../src/web/context.js';
import { hourUs, makeFixture, type Fixture } from './helpers/webFixture.js';

const origin = hourUs('2026-11-01T05');

describe('the page: "not yet" after now, and a red empty window', () => {
  it("greys every pixel from now on: the rest of now's column, then every later column", () => {
    // 3 hours, 2 s pixels, 300 rows (18 columns); now = 07:10:01 → pixel 3901: column 13, row 1.
    const g = { width: 18, height: 300, origin, hours: 3 };
    const now = origin + 2 * 3600 * SECOND_US + 601 * SECOND_US;
    assert.deepEqual(notYetRects(g, 2, now, 2, 1), [
      { left: 26, top: 1, width: 2, height: 299 },
      { left: 28, top: 0, width: 8, height: 300 },
    ]);
    // Now on a column boundary: whole columns only. Now after the map: nothing. Before: everything.
    assert.deepEqual(notYetRects(g, 2, origin + 3000 * SECOND_US, 1, 1), [{ left: 5, top: 0, width: 13, height: 300 }]);
    assert.deepEqual(notYetRects(g, 2, origin + 3 * 3600 * SECOND_US, 1, 1), []);
    assert.deepEqual(notYetRects(g, 2, origin - 1, 1, 1), [{ left: 0, top: 0, width: 18, height: 300 }]);
  });

  let fx: Fixture;
  before(async () => {
    // source records 05:00–05:30; 480p has nothing; the window is 05–07 by the flags.
    fx = await makeFixture(
      { c: { source: { '2026-11-01T05': [[0, 1800, 10, 'full']] } } },
      {
        extra: { qualities: 'source,480p', 'first-hour': '2026-11-01T05', 'last-hour': '2026-11-01T07' },
      },
    );
  });
  after(async () => {
    if (fx !== undefined) await rm(fx.base, { recursive: true, force: true });
  });

  const ctxAt = (nowUs: number) => createWebContext({ state: fx.state, config: fx.config, now: () => nowUs / 1000, nodeName: 'n' });

  it('the part of the map after now is "not yet" in the page data; the holes stop at now; the docs are linked', () => {
    const now = hourUs('2026-11-01T06') + 1200 * SECOND_US;
    const s = summarizeQuality('c', 'source', fx.state.get('c', 'source'), now);
    assert.deepEqual(
      s.rawHoles.map((x) => [x.start, x.end]),
      [[origin + 1800 * SECOND_US, now]],
    );
    const data = pageData(ctxAt(now), 'maps/', false, 'docs/coverage.md');
    const i = data.qualities.findIndex((q) => q.quality === 'source');
    assert.deepEqual(
      data.qualities[i].holes.map((x) => [x.start, x.end]),
      [[origin + 1800 * SECOND_US, now]],
      'the page lists the same holes',
    );
    assert.equal(data.maps[i]?.notyet.length, 1, 'now (06:20) is on a column boundary: one block, to the end of hour 07');
    assert.equal(data.docs_url, 'docs/coverage.md');
  });

  it('an empty window is flagged "nothing recorded" (the page draws it red), never a green 0 %', () => {
    const now = hourUs('2026-11-01T08');
    const s = summarizeQuality('c', '480p', fx.state.get('c', '480p'), now);
    assert.equal(s.nothingRecorded, true);
    assert.deepEqual([s.rawHoles.length, s.rawHoleUs, s.missingHours], [1, 3 * 3600 * SECOND_US, 3]);
    const q = pageData(ctxAt(now), 'maps/', false).qualities.find((x) => x.quality === '480p');
    assert.deepEqual(
      [q?.nothing_recorded, q?.hole_count, q?.hole_us, q?.missing_hours, q?.coverage_pct],
      [true, 1, 3 * 3600 * SECOND_US, 3, 0],
    );
  });
});
