import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { HOUR_US } from '../../src/coverage/types.js';
import { displayUtc } from '../../src/web/format.js';
import { formatHourName } from '../../src/store/hourName.js';
import { cleanEnv, startDaemon, type RunningDaemon } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { launchChromium, screenshotPath, watchProblems } from './helpers/browser.js';
import { buildStore, type Run, type StoreSpec } from './helpers/webFixture.js';

/**
 * Issue 25 on the page of a real daemon with no peers, in a real Chromium: each card is
 * coloured by its state (not by "any hole") and says why; the longest holes come first;
 * a single node shows no fleet columns nor a fleet strip; every strip and map opens at
 * its newest end.
 */
const HOURS = 30;
const nowHour = Math.floor((Date.now() * 1000) / HOUR_US) * HOUR_US;
const first = nowHour - HOURS * HOUR_US;
const hourAt = (i: number): number => first + i * HOUR_US;

/** 30 hours of 60 s segments up to the last whole hour; `edit` changes hour `i`'s runs (null: the folder is missing). */
function hours(edit: (i: number) => Run[] | null | undefined): Record<string, Run[]> {
  const out: Record<string, Run[]> = {};
  for (let i = 0; i < HOURS; i++) {
    const runs = edit(i);
    if (runs !== null) out[formatHourName(hourAt(i))] = runs ?? [[0, 3600, 60, 'full']];
  }
  return out;
}

/** Only half-second holes: one segment of 59.5 s in hours 5 and 15 leaves 10:59.5–11:00. */
const blips = hours((i) =>
  i === 5 || i === 15
    ? [
        [0, 600, 60, 'full'],
        [600, 601, 59.5, 'full'],
        [660, 3600, 60, 'full'],
      ]
    : undefined,
);
/** Hour 10 missing; 5 min gone in hour 20 (10:00–15:00), 30 s in hour 25, 10 s in hour 27. */
const outage = hours((i) => {
  if (i === 10) return null;
  if (i === 20)
    return [
      [0, 600, 60, 'full'],
      [900, 3600, 60, 'full'],
    ];
  if (i === 25)
    return [
      [0, 1200, 60, 'full'],
      [1200, 1201, 30, 'full'],
      [1260, 3600, 60, 'full'],
    ];
  if (i === 27)
    return [
      [0, 1200, 60, 'full'],
      [1200, 1201, 50, 'full'],
      [1260, 3600, 60, 'full'],
    ];
  return undefined;
});
const SPEC: StoreSpec = {
  blips: { source: blips, '480p': blips },
  outage: { source: outage, '480p': hours(() => undefined) },
};

/** A card's state as drawn: classes, the badge's text and colour, the card's accent colour. */
async function cardState(
  page: Page,
  card: string,
): Promise<{ card: string; badge: string; badgeClass: string; badgeColor: string; accent: string; pctClass: string }> {
  return page.$eval(card, (a) => {
    const badge = a.querySelector('.badge') as HTMLElement;
    return {
      card: a.className,
      badge: badge.textContent ?? '',
      badgeClass: badge.className,
      badgeColor: getComputedStyle(badge).color,
      accent: getComputedStyle(a).borderLeftColor,
      pctClass: a.querySelector('dd:has(b.pct)')?.className ?? '',
    };
  });
}

const RED = 'rgb(180, 35, 24)';
const AMBER_TEXT = 'rgb(125, 78, 0)';
const AMBER = 'rgb(154, 103, 0)';
const GREEN = 'rgb(26, 127, 55)';

describe('the page of a single node, coloured by state (issue 25)', () => {
  let dir: string;
  let d: RunningDaemon;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    dir = await makeTmpDir('page-severity');
    await buildStore(path.join(dir, 'store'), SPEC);
    d = await startDaemon(
      [
        'blips',
        'outage',
        '--base-dir',
        path.join(dir, 'store'),
        '--qualities',
        'source,480p',
        '--output-dir',
        path.join(dir, 'out'),
        '--log-level',
        'warn',
      ],
      { env: cleanEnv() },
    );
    browser = await launchChromium();
    // wide enough for two cards side by side: the second one narrows the first
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    problems = watchProblems(page);
    await page.goto(`${d.url}/`, { waitUntil: 'networkidle' });
  });
  after(async () => {
    await browser?.close();
    await d?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('sub-second holes only: amber (warn), not red, saying why', async () => {
    const s = await cardState(page, '#q-0');
    assert.deepEqual(s, {
      card: 'quality warn',
      badge: 'WARN – 2 short holes, longest 0.5 s',
      badgeClass: 'badge warn',
      badgeColor: AMBER_TEXT,
      accent: AMBER,
      pctClass: 'warn',
    });
    assert.equal(await page.$eval('#q-0 b.pct', (b) => getComputedStyle(b).color), AMBER);
    assert.equal(await page.$eval('#overview tbody tr:first-child', (tr) => tr.className), 'warn');
  });

  it('no hole: green; a missing hour: red, and that hour heads the longest holes and the list', async () => {
    assert.deepEqual(await cardState(page, '#q-3'), {
      card: 'quality ok',
      badge: 'OK – no hole',
      badgeClass: 'badge ok',
      badgeColor: GREEN,
      accent: GREEN,
      pctClass: 'ok',
    });
    const s = await cardState(page, '#q-2');
    assert.deepEqual(s, {
      card: 'quality bad',
      badge: 'BAD – 1 missing hour',
      badgeClass: 'badge bad',
      badgeColor: RED,
      accent: RED,
      pctClass: 'bad',
    });
    const longest = await page.$$eval('#q-2 .longest li', (lis) => lis.map((li) => li.textContent));
    // the end's date only when it differs from the start's
    const when = (i: number, fromS: number, toS: number): string => {
      const [from, to] = [displayUtc(hourAt(i) + fromS * 1e6), displayUtc(hourAt(i) + toS * 1e6)];
      return `${from} – ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to} UTC`;
    };
    assert.deepEqual(
      longest,
      [`1 h 00 min 00 s ${when(10, 0, 3600)}`, `5 min 00 s ${when(20, 600, 900)}`, `30 s ${when(25, 1230, 1260)}`],
      'the three longest, longest first; no "held by" without peers',
    );
    const rows = async (): Promise<string[][]> =>
      page.$$eval('#q-2 tr.hole', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(
      (await rows()).map((r) => r[2]),
      ['1 h 00 min 00 s', '5 min 00 s', '30 s', '10 s'],
      'the list: longest first by default',
    );
    assert.equal(await page.textContent('#q-2 table.holes caption'), 'Holes 1–4 of 4, longest first (UTC)');
    assert.equal(await page.getAttribute('#q-2 button.order-length', 'aria-pressed'), 'true');
    await page.click('#q-2 button.order-time');
    const starts: [number, number][] = [
      [27, 1250],
      [25, 1230],
      [20, 600],
      [10, 0],
    ];
    assert.deepEqual(
      (await rows()).map((r) => r[0]),
      starts.map(([i, at]) => displayUtc(hourAt(i) + at * 1e6)),
      'newest first when asked',
    );
    assert.equal(await page.textContent('#q-2 table.holes caption'), 'Holes 1–4 of 4, newest first (UTC)');
    assert.equal(await page.getAttribute('#q-2 button.order-time', 'aria-pressed'), 'true');
    await page.click('#q-2 button.order-length');
    assert.equal((await rows())[0][2], '1 h 00 min 00 s');
  });

  it('a single node shows no fleet columns and no fleet strip', async () => {
    const heads = await page.$$eval('th', (ths) => ths.map((t) => t.textContent));
    assert.ok(heads.includes('Length') && heads.includes('State'), 'the tables are there');
    assert.ok(!heads.includes('Held by'), 'no "Held by" column');
    assert.ok(!heads.includes('Fleet hole'), 'no "Fleet hole" column');
    assert.equal(await page.$$eval('td.peers', (tds) => tds.length), 0);
    const labels = await page.$$eval('article.quality', (arts) =>
      arts.map((a) => [...a.querySelectorAll('.striplabel .name')].map((x) => x.textContent)),
    );
    assert.equal(labels.length, 4);
    for (const l of labels) assert.equal(l.length, 1, `one strip, this node's, no fleet strip: ${JSON.stringify(l)}`);
    assert.equal(await page.$$eval('.striplabel.fleetrow', (xs) => xs.length), 0);
    assert.equal(await page.$$eval('dt', (dts) => dts.filter((x) => x.textContent === 'Fleet').length), 0);
    assert.equal(await page.$$eval('.longest .held', (xs) => xs.length), 0);
    // every canvas row is a node's: 30 px of labels, then one 18 px row and its gap
    assert.deepEqual(await page.$$eval('canvas.strips', (cs) => cs.map((c) => c.getBoundingClientRect().height)), [52, 52, 52, 52]);
  });

  it("every card's strips and map open at the newest end", async () => {
    const boxes = await page.$$eval('.stripscroll, .mapscroll', (xs) =>
      xs.map((x) => ({
        card: x.closest('article')?.id,
        cls: x.className,
        left: x.scrollLeft,
        max: x.scrollWidth - x.clientWidth,
      })),
    );
    assert.equal(boxes.length, 8, 'a strip box and a map box in each of the four cards');
    for (const b of boxes) {
      assert.ok(b.max > 50, `${b.card} ${b.cls} must scroll for this test (${b.max}px)`);
      assert.ok(b.left >= b.max - 1, `${b.card} ${b.cls} is at ${b.left} of ${b.max}`);
    }
    assert.deepEqual(problems, []);
    await page.screenshot({ path: await screenshotPath('status-page-severity.png'), fullPage: true });
  });
});
