import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { HOUR_US, SECOND_US } from '../../src/coverage/types.js';
import { coverageJson } from '../../src/web/coverageApi.js';
import { displayUtc, escapeHtml, formatDuration, formatPercent, isoUtc } from '../../src/web/format.js';
import { mapLayout } from '../../src/web/mapLayout.js';
import { summarizeQuality } from '../../src/web/qualitySummary.js';
import { createWebContext, pageData, pageHtml } from '../../src/web/context.js';
import { embedJson } from '../../src/web/statusPage.js';
import { writeStaticPage } from '../../src/web/staticPage.js';
import { hourUs, makeFixture, ODD_CHANNEL, SAMPLE_NOW_MS, SAMPLE_SPEC } from './helpers/webFixture.js';

describe('formatting', () => {
  it('escapes everything that can break out of text or an attribute', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&\``), '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;');
  });
  it('prints µs times exactly, in UTC', () => {
    const t = hourUs('2026-11-01T07') + 2_500_001;
    assert.equal(isoUtc(t), '2026-11-01T07:00:02.500001Z');
    assert.equal(displayUtc(t), '2026-11-01 07:00:02.500001');
    assert.equal(displayUtc(hourUs('2026-11-01T07') + 2_500_000), '2026-11-01 07:00:02.5');
    assert.equal(displayUtc(hourUs('2026-11-01T07')), '2026-11-01 07:00:00');
  });
  it('prints lengths and never rounds a gap up to 100 %', () => {
    assert.equal(formatDuration(250_000), '0.25 s');
    assert.equal(formatDuration(5 * SECOND_US), '5 s');
    assert.equal(formatDuration(725 * SECOND_US), '12 min 05 s');
    assert.equal(formatDuration(HOUR_US + 125 * SECOND_US), '1 h 02 min 05 s');
    assert.equal(formatPercent(100), '100 %');
    assert.equal(formatPercent(99.9999), '99.99 %');
    assert.equal(formatPercent(null), '–');
  });
});

describe('map layout', () => {
  const origin = hourUs('2026-11-01T22');
  it('puts each hour label on the first column of its hour and the minute ticks on the rows', () => {
    // 4 hours, 2 s pixels, 300 rows: 6 columns an hour.
    const l = mapLayout({ width: 24, height: 300, origin, hours: 4 }, 2);
    assert.equal(l.hourPx, 6 * l.scaleX);
    assert.equal(l.width, 24 * l.scaleX);
    assert.deepEqual(
      l.hourLabels.map((x) => [x.at, x.text]),
      [
        [0, '22'],
        [l.hourPx, '23'],
        [2 * l.hourPx, '00'],
        [3 * l.hourPx, '01'],
      ],
    );
    assert.deepEqual(
      l.dayLabels.map((d) => [d.at, d.size, d.title]),
      [
        [0, 2 * l.hourPx, '2026-11-01'],
        [2 * l.hourPx, 2 * l.hourPx, '2026-11-02'],
      ],
    );
    assert.equal(l.columnSeconds, 600);
    assert.deepEqual(
      l.minuteTicks.map((t) => [t.at, t.text]),
      [
        [0, '+0 min'],
        [60 * l.scaleY, '+2 min'],
        [120 * l.scaleY, '+4 min'],
        [180 * l.scaleY, '+6 min'],
        [240 * l.scaleY, '+8 min'],
        [300 * l.scaleY, '+10 min'],
      ],
    );
  });
  it('labels fewer hours when hours are narrow, still on hour boundaries', () => {
    const l = mapLayout({ width: 6 * 168, height: 300, origin, hours: 168 }, 2);
    assert.equal(l.scaleX, 1);
    const step = l.hourLabels[1].at - l.hourLabels[0].at;
    assert.ok(step >= 30 && step % l.hourPx === 0, `labels ${step}px apart`);
    for (const x of l.hourLabels) assert.equal(Number(x.text) % (step / l.hourPx), 0);
  });
  it('follows other pixel lengths and rows (1 s pixels, 60 rows: 60 columns an hour)', () => {
    const l = mapLayout({ width: 120, height: 60, origin, hours: 2 }, 1);
    assert.equal(l.hourPx, 60 * l.scaleX);
    assert.equal(l.scaleY, 5);
    assert.equal(l.columnSeconds, 60);
    assert.equal(l.minuteTicks[l.minuteTicks.length - 1].at, 300);
  });
});

describe('summary, page and JSON from a state', async () => {
  const fx = await makeFixture(SAMPLE_SPEC);
  const nowUs = SAMPLE_NOW_MS * 1000;
  const ctx = createWebContext({ state: fx.state, config: fx.config, now: () => SAMPLE_NOW_MS, nodeName: 'node-a' });

  it('coverage of the window: the window minus its holes; the live edge and the future are not holes', () => {
    const s = summarizeQuality('desertbus', 'source', fx.state.get('desertbus', 'source'), nowUs);
    // The window ends at the newest segment (07:50:00), not at now (07:50:05).
    assert.deepEqual(s.window, { start: hourUs('2026-11-01T05'), end: hourUs('2026-11-01T07') + 50 * 60 * SECOND_US });
    assert.equal(s.coveredUs, (3600 + 3570 + 2700) * SECOND_US);
    assert.equal(s.coveragePct, (9870 / 10200) * 100);
    assert.equal(s.rawHoles.length, 2);
    assert.equal(s.rawHoleUs, 330 * SECOND_US);
    assert.equal(s.coveredUs + s.rawHoleUs, s.window!.end - s.window!.start, 'percentage and hole total agree');
    assert.equal(s.ageUs, 5 * SECOND_US);
    // Long after: still no hole after the newest segment (a stalled recorder is an alert, not a hole).
    const later = summarizeQuality('desertbus', 'source', fx.state.get('desertbus', 'source'), nowUs + 10 * HOUR_US);
    assert.equal(later.coveragePct, (9870 / 10200) * 100);
    // The odd channel's missing hour 06 is a hole (no per-hour gauge has it).
    const odd = summarizeQuality(ODD_CHANNEL, 'source', fx.state.get(ODD_CHANNEL, 'source'), nowUs);
    assert.deepEqual(
      odd.rawHoles.map((x) => [x.start, x.end, x.hour]),
      [[hourUs('2026-11-01T06'), hourUs('2026-11-01T07') + 20 * SECOND_US, '2026-11-01T06']],
    );
    assert.equal(odd.missingHours, 1);
  });

  it('the page carries every hole (missing hours included) in its data, escapes names, and does not reload itself', () => {
    const data = pageData(ctx, 'maps/', false);
    const src = data.qualities.find((q) => q.channel === 'desertbus' && q.quality === 'source');
    assert.deepEqual(
      src?.holes.map((x) => [x.start, x.end]),
      [
        [hourUs('2026-11-01T06') + 600 * SECOND_US, hourUs('2026-11-01T06') + 630 * SECOND_US],
        [hourUs('2026-11-01T07') + 1200 * SECOND_US, hourUs('2026-11-01T07') + 1500 * SECOND_US],
      ],
    );
    const odd = data.qualities.find((q) => q.channel === ODD_CHANNEL && q.quality === 'source');
    assert.deepEqual(
      odd?.holes.map((x) => [x.start, x.end]),
      [[hourUs('2026-11-01T06'), hourUs('2026-11-01T07') + 20 * SECOND_US]],
      'the missing hour is a hole',
    );
    const html = pageHtml(ctx, 'maps/', false);
    assert.ok(!html.includes('<img src=x'), 'the odd name never appears as markup');
    assert.ok(html.includes(embedJson(`maps/${encodeURIComponent(`${ODD_CHANNEL}_source_coverage.png`)}`).slice(1, -1)));
    assert.ok(!/http-equiv="refresh"/.test(html), 'no meta refresh: the page updates itself');
    assert.ok(!/\bago\b/.test(html.replace(/<script>[\s\S]*?<\/script>/g, '')), 'no age frozen into the HTML: the browser computes ages');
    assert.ok(!/<script[^>]+src=|<link[^>]+stylesheet/.test(html), 'no external script or style');
  });

  it('embedded JSON cannot end its script element', () => {
    const text = embedJson({ name: '</script><script>alert(1)</script>' });
    assert.ok(!text.includes('<'));
    assert.deepEqual(JSON.parse(text), { name: '</script><script>alert(1)</script>' });
  });

  it('the coverage JSON carries the gauges exactly as the §4 figures', () => {
    const body = coverageJson([['desertbus', '480p']], (c, q) => fx.state.get(c, q), true, nowUs) as {
      channels: { qualities: { hours: Record<string, unknown>[] }[] }[];
    };
    const h = body.channels[0].qualities[0].hours[0];
    assert.deepEqual(h, {
      hour: '2026-11-01T06',
      start: '2026-11-01T06:00:00.000000Z',
      segment_count: { full: 360, suspect: 0, partial: 0, bad: 0 },
      segment_duration: { full: 3600, suspect: 0, partial: 0 },
      raw_coverage: 3600,
      editable_coverage: 3600,
      raw_holes: 0,
      editable_holes: 0,
      raw_hole_duration: 0,
      editable_hole_duration: 0,
      overlap_count: { full: 0, suspect: 0, partial: 0 },
      overlap_duration: { full: 0, suspect: 0, partial: 0 },
    });
  });

  it('writeStaticPage writes index.html by rename, with map references relative to it', async () => {
    await writeStaticPage(createWebContext({ state: fx.state, config: fx.config, now: () => SAMPLE_NOW_MS }));
    const html = await readFile(`${fx.config.outputDir}/index.html`, 'utf8');
    assert.ok(html.includes('"src":"desertbus_source_coverage.png?v=1000"'));
    assert.ok(html.includes('"static":true'), 'the copy knows it is a snapshot');
    assert.ok(!html.includes('src="/'), 'no absolute references');
    const left = (await readdir(fx.config.outputDir)).filter((f) => f.includes('.tmp'));
    assert.deepEqual(left, []);
    await rm(fx.base, { recursive: true, force: true });
  });
});
