import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { startHttpServer, type HttpServerHandle } from '../../src/outputs/httpServer.js';
import { webRoutes } from '../../src/web/routes.js';
import { writeStaticPage } from '../../src/web/staticPage.js';
import { imageStates, launchChromium, screenshotPath, watchProblems } from './helpers/browser.js';
import { makeFixture, ODD_CHANNEL, SAMPLE_NOW_MS, SAMPLE_SPEC, type Fixture, type StoreSpec } from './helpers/webFixture.js';

/** The peer records the same channels, with a different hole. */
const PEER_SPEC: StoreSpec = {
  desertbus: {
    source: { '2026-11-01T06': [[0, 1200, 10, 'full'], [1260, 3600, 10, 'full']], '2026-11-01T07': [[0, 3000, 10, 'full']] },
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
  const now = () => SAMPLE_NOW_MS;

  before(async () => {
    peer = await makeFixture(PEER_SPEC);
    peerServer = await startHttpServer('127.0.0.1', 0, webRoutes({ state: peer.state, config: peer.config, now }), (e) => { throw e; });
    local = await makeFixture(SAMPLE_SPEC, { peers: { 'node-b': `http://127.0.0.1:${peerServer.port}` } });
    server = await startHttpServer('127.0.0.1', 0, webRoutes({ state: local.state, config: local.config, now }), (e) => { throw e; });
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

    const holeRows = await page.$$eval('article.quality', (arts) => arts.map((a) =>
      [...a.querySelectorAll('tr.hole')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))));
    assert.deepEqual(holeRows[0], [
      ['2026-11-01 07:20:00', '07:25:00', '5 min 00 s'],
      ['2026-11-01 06:10:00', '06:10:30', '30 s'],
    ]);
    assert.deepEqual(holeRows[1], []);
    // The odd channel's hole runs through the whole missing hour 06 (issue 11: one hole definition).
    assert.deepEqual(holeRows[2], [['2026-11-01 06:00:00', '07:00:20', '1 h 00 min 20 s']]);
    assert.deepEqual(holeRows[3], []);
    const counts = await page.$$eval('b.holecount', (bs) => bs.map((b) => b.textContent));
    assert.deepEqual(counts, ['2', '0', '1', '0']);
    assert.equal(await page.$$eval('p.nomap', (ps) => ps.length), 1, 'the odd channel has no 480p: no map');

    const images = await imageStates(page);
    assert.equal(images.length, 6, 'three local maps and three of the peer');
    for (const img of images) {
      assert.ok(img.complete && img.naturalWidth > 0 && img.visible, `image did not load: ${img.src}`);
    }
    assert.equal(images.filter((i) => i.src.includes(`127.0.0.1:${peerServer.port}/maps/`)).length, 3);
    assert.deepEqual(problems, []);
    await page.screenshot({ path: await screenshotPath('status-page-desktop.png'), fullPage: true });
    await page.close();
  });

  it('reads on a phone: nothing wider than the screen, maps scrolled to the newest hour', async () => {
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

  it('the static page (--make-page) shows the maps from beside it and the peer\'s', async () => {
    await writeStaticPage({ state: local.state, config: local.config, now });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    await page.goto(pathToFileURL(path.join(local.config.outputDir, 'index.html')).href, { waitUntil: 'networkidle' });
    const images = await imageStates(page);
    assert.equal(images.length, 6);
    for (const img of images) assert.ok(img.complete && img.naturalWidth > 0, `image did not load: ${img.src}`);
    assert.equal(images.filter((i) => i.src.startsWith('file:')).length, 3);
    assert.ok((await page.textContent('body'))?.includes(ODD_CHANNEL));
    assert.deepEqual(problems, []);
    await page.screenshot({ path: await screenshotPath('status-page-static.png'), fullPage: true });
    await page.close();
  });
});
