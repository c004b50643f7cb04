import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startHttpServer, type HttpServerHandle } from '../../src/outputs/http/httpServer.js';
import { createWebContext, type WebContext } from '../../src/web/context.js';
import { displayUtc, formatDuration, formatPercent } from '../../src/web/format.js';
import { webRoutes } from '../../src/web/routes.js';
import { writeStaticPage } from '../../src/web/staticPage.js';
import { imageStates, launchChromium, screenshotPath, watchProblems } from './helpers/browser.js';
import { WAIT_MS } from '../helpers/cli.js';
import { makeFixture, ODD_CHANNEL, SAMPLE_NOW_MS, SAMPLE_SPEC, type Fixture, type StoreSpec } from './helpers/webFixture.js';

/** The peer records the same channels, with a different hole. */
const PEER_SPEC: StoreSpec = {
  desertbus: {
    source: {
      '2026-11-01T06': [
        [0, 1200, 10, 'full'],
        [1260, 3600, 10, 'full'],
      ],
      '2026-11-01T07': [[0, 3000, 10, 'full']],
    },
    '480p': { '2026-11-01T07': [[0, 3000, 10, 'full']] },
  },
  [ODD_CHANNEL]: { source: { '2026-11-01T07': [[0, 1800, 20, 'full']] } },
};

/**
 * The status page in a real headless Chromium, served by the real HTTP server and web
 * routes: what is shown, that every image (this node's maps and a peer's) loads, that
 * nothing is logged as an error, and that it fits a phone. Screenshots are kept in
 * test-artifacts/ for a person to look at.
 */
describe('status page in Chromium', () => {
  let browser: Browser;
  let local: Fixture;
  let peer: Fixture;
  let server: HttpServerHandle;
  let peerServer: HttpServerHandle;
  let staticCtx: WebContext;
  const now = () => SAMPLE_NOW_MS;

  before(async () => {
    peer = await makeFixture(PEER_SPEC);
    peerServer = await startHttpServer(
      '127.0.0.1',
      0,
      webRoutes(createWebContext({ state: peer.state, config: peer.config, now })),
      (e) => {
        throw e;
      },
    );
    local = await makeFixture(SAMPLE_SPEC, { peers: { 'node-b': `http://127.0.0.1:${peerServer.port}` } });
    const ctx = createWebContext({ state: local.state, config: local.config, now, nodeName: 'node-a' });
    server = await startHttpServer('127.0.0.1', 0, webRoutes(ctx), (e) => {
      throw e;
    });
    // The daemon has the peer's answer before the page is opened.
    await ctx.fleet.fetcher.round();
    staticCtx = ctx;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await peerServer?.close();
    if (local !== undefined) await rm(local.base, { recursive: true, force: true });
    if (peer !== undefined) await rm(peer.base, { recursive: true, force: true });
  });

  it('shows channels, qualities and holes; every image loads; no console errors (desktop)', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const problems = watchProblems(page);
    const res = await page.goto(`http://127.0.0.1:${server.port}/`, { waitUntil: 'networkidle' });
    assert.equal(res?.status(), 200);

    const channels = await page.$$eval('section.channel > h2', (hs) => hs.map((x) => x.textContent));
    assert.deepEqual(channels, ['desertbus', ODD_CHANNEL]);
    const qualities = await page.$$eval('article.quality > h3', (hs) => hs.map((x) => x.textContent));
    assert.deepEqual(qualities, ['source', '480p', 'source', '480p']);

    const holeRows = await page.$$eval('article.quality', (arts) =>
      arts.map((a) => [...a.querySelectorAll('tr.hole')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))),
    );
    assert.deepEqual(holeRows[0], [
      ['2026-11-01 07:20:00', '07:25:00', '5 min 00 s', 'node-b (all)'],
      ['2026-11-01 06:10:00', '06:10:30', '30 s', 'node-b (all)'],
    ]);
    assert.deepEqual(holeRows[1], []);
    // The missing hour 06 is part of the hole; the peer has only its last 20 s.
    assert.deepEqual(holeRows[2], [['2026-11-01 06:00:00', '07:00:20', '1 h 00 min 20 s', 'node-b (20 s of it)']]);
    assert.deepEqual(holeRows[3], []);
    const counts = await page.$$eval('b.holecount', (bs) => bs.map((b) => b.textContent));
    assert.deepEqual(counts, ['2', '0', '1', '0']);
    assert.equal(await page.$$eval('p.nomap', (ps) => ps.length), 1, 'the odd channel has no 480p: no map');

    const images = await imageStates(page);
    assert.equal(images.length, 3, 'three local maps; peers are strips drawn from their data, not images');
    for (const img of images) {
      assert.ok(img.complete && img.naturalWidth > 0 && img.visible, `image did not load: ${img.src}`);
    }
    const labels = await page.$$eval('article.quality', (arts) =>
      arts.map((a) => [...a.querySelectorAll('.striplabel .name')].map((x) => x.textContent)),
    );
    assert.deepEqual(labels[0], ['node-a', 'node-b', 'fleet'], 'one strip per node and the fleet');
    // The first hour's date label of each map is whole and not clipped.
    const firstDays = await page.$$eval('.map .days span:first-child', (xs) =>
      xs.map((x) => ({ text: x.textContent, clipped: x.scrollWidth > x.clientWidth + 1 })),
    );
    assert.equal(firstDays.length, 3);
    for (const d of firstDays) assert.deepEqual(d, { text: '2026-11-01', clipped: false });
    // After now (07:50:05, pinned) the maps are grey, "not yet"; the odd channel's empty 480p is red, "nothing recorded".
    assert.ok((await page.$$eval('.map .notyet', (xs) => xs.length)) >= 1);
    assert.equal(await page.textContent('#q-3 b.nothing'), 'nothing recorded');
    assert.equal(await page.getAttribute('#q-3 b.nothing', 'class'), 'nothing');
    assert.equal(await page.$eval('#q-3 dd:has(b.pct)', (d) => d.className), 'bad');
    assert.equal(await page.textContent('#q-2 b.missinghours'), '1', 'the odd channel misses hour 06');
    // The strips' canvas is wide enough for the first date label, however few the hours.
    const minWidth = await page.$$eval('canvas.strips', (cs) =>
      Math.min(...cs.filter((c) => (c as HTMLCanvasElement).width > 0).map((c) => c.getBoundingClientRect().width)),
    );
    assert.ok(minWidth >= 80, `a strip canvas is only ${minWidth}px wide`);
    assert.equal(await page.textContent('#q-3 .noholes'), 'Nothing recorded.');
    assert.equal(await page.isVisible('#q-3 figure.fleet'), false, 'no strips without any window');
    assert.equal(await page.getAttribute('#q-0 a.docs', 'href'), 'docs/coverage.md');
    // The future has its own legend entry.
    assert.ok((await page.$$eval('ul.legend li', (lis) => lis.map((l) => l.textContent))).includes('not yet (after now)'));
    assert.deepEqual(problems, []);
    await page.screenshot({ path: await screenshotPath('status-page-desktop.png'), fullPage: true });
    await page.close();
  });

  it('the page formats times, lengths and percentages exactly as src/web/format.ts does', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`, { waitUntil: 'networkidle' });
    const times = [0, 1_762_000_000_000_000, 1_762_000_002_500_001, 1_762_000_002_500_000];
    const lengths = [0, 250_000, 5_000_000, 725_000_000, 3_725_000_000, 59_999_600, 86_400_000_000];
    const pcts = [100, 99.9999, 0, 50.125, null];
    const inPage = await page.evaluate(
      ([t, l, p]) => {
        const f = (
          window as unknown as {
            segcovFormat: { utc: (x: number) => string; dur: (x: number) => string; pct: (x: number | null) => string };
          }
        ).segcovFormat;
        return { t: t.map(f.utc), l: l.map(f.dur), p: p.map(f.pct) };
      },
      [times, lengths, pcts] as const,
    );
    assert.deepEqual(inPage, { t: times.map(displayUtc), l: lengths.map(formatDuration), p: pcts.map(formatPercent) });
    await page.close();
  });

  it('reads on a phone: nothing wider than the screen (three hours: no box scrolls; pageScroll.e2e checks the newest end)', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const problems = watchProblems(page);
    await page.goto(`http://127.0.0.1:${server.port}/`, { waitUntil: 'networkidle' });
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
    assert.ok(widths.doc <= widths.view, `page is ${widths.doc}px wide on a ${widths.view}px screen`);
    const fontPx = await page.$eval('body', (b) => parseFloat(getComputedStyle(b).fontSize));
    assert.ok(fontPx >= 14, `body font ${fontPx}px is too small`);
    assert.deepEqual(problems, []);
    await page.screenshot({ path: await screenshotPath('status-page-phone.png'), fullPage: true });
    await page.close();
  });

  it("the static page (--make-page) shows the maps from beside it and the peer's", async () => {
    await writeStaticPage(staticCtx);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(pathToFileURL(path.join(local.config.outputDir, 'index.html')).href, { waitUntil: 'networkidle' });
    const images = await imageStates(page);
    assert.equal(images.length, 3);
    for (const img of images) assert.ok(img.complete && img.naturalWidth > 0, `image did not load: ${img.src}`);
    assert.equal(images.filter((i) => i.src.startsWith('file:')).length, 3);
    // The copy says how old it is, computed by the browser from the time it was written.
    const live = await page.textContent('#live');
    assert.match(live ?? '', /^snapshot written \d+ h \d+ min \d+ s ago; this copy does not update$/);
    assert.ok((await page.textContent('body'))?.includes(ODD_CHANNEL));
    // the hole history is the live API's: the copy has no incidents view
    const views = await page.$$eval('.incidentlist', (xs) => xs.map((x) => [(x as HTMLElement).hidden, x.textContent]));
    assert.ok(views.length > 0 && views.every(([hidden, text]) => hidden === true && text === ''), JSON.stringify(views));
    assert.deepEqual(problems, []);
    await page.screenshot({ path: await screenshotPath('status-page-static.png'), fullPage: true });
    await page.close();
  });
});

/** 45 holes of 5 s in one hour: three pages of the holes list. */
const MANY_SPEC: StoreSpec = {
  many: {
    source: { '2026-11-01T07': Array.from({ length: 46 }, (_, i): [number, number, number, 'full'] => [i * 60, i * 60 + 55, 5, 'full']) },
  },
};

/**
 * A describe block's Chromium and a page server over a fixture store built from `spec`,
 * at the sample "now"; started before its tests and torn down after them.
 */
function servedFixture(spec: StoreSpec): { browser: () => Browser; fx: () => Fixture; port: () => number } {
  let browser: Browser | undefined;
  let fx: Fixture | undefined;
  let server: HttpServerHandle | undefined;
  before(async () => {
    fx = await makeFixture(spec);
    const f = fx;
    server = await startHttpServer(
      '127.0.0.1',
      0,
      webRoutes(createWebContext({ state: f.state, config: f.config, now: () => SAMPLE_NOW_MS })),
      (e) => {
        throw e;
      },
    );
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (fx !== undefined) await rm(fx.base, { recursive: true, force: true });
  });
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('before() has not run');
    return v;
  };
  return { browser: () => need(browser), fx: () => need(fx), port: () => need(server).port };
}

describe('holes list paging in Chromium', () => {
  const served = servedFixture(MANY_SPEC);

  it('every hole can be paged through in either order, and the page and order shown survive a live update', async () => {
    const page = await served.browser().newPage({ viewport: { width: 1000, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(`http://127.0.0.1:${served.port()}/`, { waitUntil: 'networkidle' });
    const starts = async (): Promise<string[]> => page.$$eval('tr.hole td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
    // All 45 holes are 5 s long: longest first (the default) breaks the tie by time, oldest first.
    assert.equal(await page.textContent('table.holes caption'), 'Holes 1–20 of 45, longest first (UTC)');
    assert.equal((await starts())[0], '2026-11-01 07:00:55');
    await page.click('button.order-time');
    assert.equal(await page.textContent('table.holes caption'), 'Holes 1–20 of 45, newest first (UTC)');
    assert.equal((await starts())[0], '2026-11-01 07:44:55');
    const seen = new Set(await starts());
    assert.equal(await page.isDisabled('button.prev'), true);
    await page.click('button.next');
    assert.equal(await page.textContent('table.holes caption'), 'Holes 21–40 of 45, newest first (UTC)');
    for (const x of await starts()) seen.add(x);
    await page.click('button.next');
    assert.equal(await page.textContent('table.holes caption'), 'Holes 41–45 of 45, newest first (UTC)');
    assert.equal(await page.isDisabled('button.next'), true);
    for (const x of await starts()) seen.add(x);
    assert.equal(seen.size, 45, 'every hole listed once');
    assert.ok(seen.has('2026-11-01 07:00:55') && seen.has('2026-11-01 07:44:55'));
    // A live update redraws the list on the same page.
    await waitForLive(page);
    // (the stream sends the data once on connect: wait for the event after this change)
    type Hooks = { segcovFormat?: object; formatBefore?: object; segcovUpdates?: number };
    const seenUpdates = await page.evaluate(() => {
      const w = window as unknown as Hooks;
      w.formatBefore = w.segcovFormat;
      return w.segcovUpdates ?? 0;
    });
    const s = served.fx().state.get('many', 'source')!;
    served.fx().state.set({ ...s, updatedAt: s.updatedAt + 1 });
    await waitForUpdates(page, seenUpdates + 1);
    assert.equal(await page.textContent('table.holes caption'), 'Holes 41–45 of 45, newest first (UTC)');
    assert.equal(
      await page.evaluate(() => {
        const w = window as unknown as Hooks;
        return w.segcovFormat !== undefined && w.segcovFormat === w.formatBefore;
      }),
      true,
      'the formatting functions are set once, not again by each live event',
    );
    assert.deepEqual(problems, []);
    await page.screenshot({ path: await screenshotPath('status-page-holes-paging.png'), fullPage: true });
    await page.close();
  });
});

async function waitForLive(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live', undefined, { timeout: WAIT_MS });
}

async function waitForUpdates(page: Page, n: number): Promise<void> {
  await page.waitForFunction((k) => ((window as unknown as { segcovUpdates?: number }).segcovUpdates ?? 0) >= k, n, { timeout: WAIT_MS });
}

/** 60 days of one-segment hours: far wider than a browser canvas may be at 48 px an hour. */
const LONG_SPEC: StoreSpec = {
  long: {
    source: Object.fromEntries(
      Array.from({ length: 60 * 24 }, (_, i): [string, [number, number, number, 'full'][]] => [
        new Date(Date.UTC(2026, 8, 1) + i * 3_600_000).toISOString().slice(0, 13),
        [[0, 3600, 3600, 'full']],
      ]),
    ),
  },
};

describe('a long window in Chromium', () => {
  const served = servedFixture(LONG_SPEC);

  it('the strips stay within the canvas size limit and are drawn', async () => {
    const page = await served.browser().newPage({ viewport: { width: 1000, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(`http://127.0.0.1:${served.port()}/`, { waitUntil: 'networkidle' });
    const c = await page.$eval('canvas.strips', (el) => {
      const cv = el as HTMLCanvasElement;
      const hourPx = Number(cv.dataset.hourPx);
      // the middle of the 100th hour, in the first strip
      const px = [...cv.getContext('2d')!.getImageData(Math.floor(100.5 * hourPx), 39, 1, 1).data].slice(0, 3);
      return { width: cv.width, hourPx, px };
    });
    assert.ok(c.width > 0 && c.width <= 16000, `canvas ${c.width}px wide`);
    assert.ok(c.hourPx < 48);
    assert.deepEqual(c.px, [0x1f, 0x77, 0xb4]);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
