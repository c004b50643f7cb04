import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startHttpServer, type HttpServerHandle } from '../../src/outputs/http/httpServer.js';
import { createWebContext } from '../../src/web/context.js';
import { mapFileName } from '../../src/store/layout.js';
import { webRoutes } from '../../src/web/routes.js';
import { WAIT_MS } from '../helpers/cli.js';
import { launchChromium, screenshotPath, watchProblems } from './helpers/browser.js';
import { makeFixture, SAMPLE_NOW_MS, writeMapPng, type Fixture, type Run } from './helpers/webFixture.js';

/**
 * Issue 25, "strip scroll": a card that a live update adds beside another narrows it; both
 * then show their newest end, while a box the reader scrolled away stays where they put
 * it. And a pair with no pass yet is shown neutrally. The real HTTP server and routes in a
 * real Chromium, over cold passes of real stores.
 */
/** 30 whole hours up to 2026-11-01T07, the sample "now"'s hour. */
const HOURS: Record<string, Run[]> = Object.fromEntries(
  Array.from({ length: 30 }, (_, i): [string, Run[]] => [
    new Date(Date.UTC(2026, 9, 31, 2) + i * 3_600_000).toISOString().slice(0, 13),
    [[0, 3600, 60, 'full']],
  ]),
);

let fx: Fixture;
let later: Fixture;
let server: HttpServerHandle;
let browser: Browser;

before(async () => {
  // `ghost` is configured but has no pass yet: its pair has no state
  fx = await makeFixture({ wide: { source: HOURS } }, { extra: { channels: ['wide', 'ghost'] } });
  // the quality the live update adds: its pass made apart, its map written where the page finds it
  later = await makeFixture({ wide: { '480p': HOURS } });
  server = await startHttpServer(
    '127.0.0.1',
    0,
    webRoutes(createWebContext({ state: fx.state, config: fx.config, now: () => SAMPLE_NOW_MS })),
    (e) => {
      throw e;
    },
  );
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  for (const f of [fx, later]) if (f !== undefined) await rm(f.base, { recursive: true, force: true });
});

interface Box {
  card: string;
  cls: string;
  left: number;
  max: number;
  width: number;
}
/** The strip and map boxes shown (not the hidden strips of a pair with no window). */
const boxes = (page: Page): Promise<Box[]> =>
  page.$$eval('.stripscroll, .mapscroll', (xs) =>
    xs
      .filter((x) => x.clientWidth > 0)
      .map((x) => ({
        card: x.closest('article')?.id ?? '',
        cls: x.className,
        left: x.scrollLeft,
        max: x.scrollWidth - x.clientWidth,
        width: x.clientWidth,
      })),
  );
const atEnd = (b: Box): boolean => b.left >= b.max - 1;

async function updates(page: Page, n: number): Promise<void> {
  await page.waitForFunction((k) => ((window as unknown as { segcovUpdates?: number }).segcovUpdates ?? 0) >= k, n, { timeout: WAIT_MS });
}
const seen = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { segcovUpdates?: number }).segcovUpdates ?? 0);

it("a card added by a live update opens at the newest end, and the card it narrows stays there; a reader's scroll is kept", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`http://127.0.0.1:${server.port}/`, { waitUntil: 'networkidle' });
  await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live', undefined, { timeout: WAIT_MS });
  const alone = await boxes(page);
  assert.equal(alone.length, 2);
  for (const b of alone) assert.ok(atEnd(b), `${b.cls} at ${b.left} of ${b.max}`);

  const n = await seen(page);
  const added = later.state.get('wide', '480p');
  assert.ok(added !== undefined && added.coverage.map !== null);
  await writeMapPng(path.join(fx.config.outputDir, mapFileName('wide', '480p')), added.coverage.map);
  fx.state.set(added);
  await updates(page, n + 1);
  await page.waitForFunction(() => document.querySelectorAll('article.quality').length === 3, undefined, { timeout: WAIT_MS });
  // (the pin follows a resize in the next frame)
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const two = await boxes(page);
  assert.equal(two.length, 4);
  assert.ok(two[0].width < alone[0].width - 100, `the first card narrowed (${alone[0].width} → ${two[0].width}px)`);
  for (const b of two) {
    assert.ok(b.max > 50, `${b.card} ${b.cls} must scroll for this test (${b.max}px)`);
    assert.ok(atEnd(b), `${b.card} ${b.cls} at ${b.left} of ${b.max}`);
  }

  // The reader scrolls the first card's strips back; a live update leaves them there, the rest at the end.
  assert.deepEqual(
    two.map((b) => b.card),
    ['q-0', 'q-0', 'q-2', 'q-2'],
    'the new card is the third of the data, beside the first',
  );
  await page.$eval('#q-0 .stripscroll', (x) => {
    x.scrollLeft = 0;
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const m = await seen(page);
  const s = fx.state.get('wide', 'source');
  assert.ok(s !== undefined);
  fx.state.set({ ...s, updatedAt: s.updatedAt + 1 });
  await updates(page, m + 1);
  const kept = await boxes(page);
  assert.equal(kept[0].left, 0, "the reader's scroll position is kept");
  for (const b of kept.slice(1)) assert.ok(atEnd(b), `${b.card} ${b.cls} at ${b.left} of ${b.max}`);
  assert.deepEqual(problems, []);
  await page.screenshot({ path: await screenshotPath('status-page-card-added.png'), fullPage: true });
  await page.close();
});

it('a pair not scanned yet is neutral: "not scanned yet", grey', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`http://127.0.0.1:${server.port}/`, { waitUntil: 'networkidle' });
  const ghost = await page.$eval('#q-1', (a) => {
    const badge = a.querySelector('.badge') as HTMLElement;
    return {
      h: a.closest('section')?.querySelector('h2')?.textContent,
      card: a.className,
      badge: badge.textContent,
      cls: badge.className,
      color: getComputedStyle(badge).color,
    };
  });
  assert.deepEqual(ghost, { h: 'ghost', card: 'quality wait', badge: 'not scanned yet', cls: 'badge wait', color: 'rgb(87, 96, 106)' });
  assert.equal(await page.$eval('#overview tbody tr:nth-child(2)', (tr) => tr.className), 'wait');
  assert.deepEqual(problems, []);
  await page.close();
});
