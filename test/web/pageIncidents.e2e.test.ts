import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { displayUtc, formatDuration } from '../../src/web/format.js';
import type { IncidentItem } from '../../src/web/incidentItem.js';
import { cleanEnv, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { fillHour, offsetName } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { launchChromium, screenshotPath, watchProblems } from './helpers/browser.js';

/**
 * Issue 28 on the page of a real daemon (node-a, with node-b as its peer) over a live
 * store, in a real Chromium: segments deleted in a finished stretch of node-a's store show
 * up in the card's hole history as an open incident, with what is still missing and who
 * holds it, without a reload; put back, it moves to the recently closed ones with its time
 * to fill. A page loaded later shows the same from `/api/v1/incidents`.
 */
const HOUR_MS = 3_600_000;
/** A finished hour (three hours ago), then the next one recorded for 20 minutes: the gap is behind the live edge. */
const hourStart = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
const hourName = (ms: number): string => new Date(ms).toISOString().slice(0, 13);
const A = hourName(hourStart);
const B = hourName(hourStart + HOUR_MS);
const DEADLINE = 60_000;
/** `displayUtc` of `s` seconds into hour A, and the time of day only. */
const when = (s: number): string => displayUtc((hourStart + s * 1000) * 1000);
const clock = (s: number): string => when(s).slice(11);

describe("the page's hole history, live (issue 28)", () => {
  let dir: string;
  let a: RunningDaemon;
  let b: RunningDaemon;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  /** How many times the page fetched the list: once, the rest came as events. */
  let listFetches = 0;
  const storeA = (): string => path.join(dir, 'a');
  const seg = (s: number): string => path.join(storeA(), 'c', 'source', A, `${offsetName(s)}-2.000-full-AAAA.ts`);
  const remove = (from: number, to: number): void => {
    for (let s = from; s < to; s += 2) rmSync(seg(s));
  };
  const putBack = (from: number, to: number): void => fillHour(storeA(), 'c', 'source', A, from, to);
  /** The texts of the card's open and closed incidents as drawn. */
  const drawn = (p: Page): Promise<{ open: string[]; closed: string[]; note: string | null }> =>
    p.$eval('#q-0 .incidentlist', (host) => ({
      open: [...host.querySelectorAll('li.incident.open')].map((li) => li.textContent ?? ''),
      closed: [...host.querySelectorAll('li.incident.closed')].map((li) => li.textContent ?? ''),
      note: host.querySelector('.noinc')?.textContent ?? null,
    }));
  const until = <T>(what: string, p: Page, pick: (d: Awaited<ReturnType<typeof drawn>>) => T | undefined): Promise<T> =>
    waitFor(what, async () => pick(await drawn(p)), DEADLINE, 100);

  before(async () => {
    dir = await makeTmpDir('page-incidents');
    for (const store of ['a', 'b']) {
      fillHour(path.join(dir, store), 'c', 'source', A, 0, 3600);
      fillHour(path.join(dir, store), 'c', 'source', B, 0, 1200);
    }
    const env = (name: string) => cleanEnv({ SEGCOV_NODE_NAME: name, SEGCOV_PEER_POLL_MS: '300' });
    b = await startDaemon(['c', '--base-dir', path.join(dir, 'b'), '--qualities', 'source', '--log-level', 'warn'], {
      env: env('node-b'),
      readyTimeoutMs: DEADLINE,
    });
    const config = path.join(dir, 'a.yaml');
    await writeFile(config, `peers:\n  node-b: ${b.url}\n`);
    a = await startDaemon(['c', '--base-dir', storeA(), '--qualities', 'source', '--config', config, '--log-level', 'warn'], {
      env: env('node-a'),
      readyTimeoutMs: DEADLINE,
    });
    await waitFor(
      'node-a to hear from node-b',
      async () => {
        const v = (await (await fetch(`${a.url}/api/v1/fleet`)).json()) as { peers: { state: string }[] };
        return v.peers[0]?.state === 'up' ? true : undefined;
      },
      DEADLINE,
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    problems = watchProblems(page);
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/incidents') listFetches += 1;
    });
    await page.goto(`${a.url}/`, { waitUntil: 'networkidle' });
  });
  after(async () => {
    await browser?.close();
    await a?.stop();
    await b?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('a complete store: the history is loaded and says there is no incident', async () => {
    const note = await until('the history to load', page, (d) => (d.note?.startsWith('No incidents') ? d.note : undefined));
    assert.equal(note, 'No incidents: no hole behind the live edge since the history began.');
    assert.equal(await page.textContent('#q-0 .incidentlist h4'), 'Hole history ?');
  });

  it('segments deleted in a finished stretch: an open incident, live, held by the peer', async () => {
    remove(600, 700);
    const [open] = await until('the open incident on the page', page, (d) => (d.open.length === 1 ? d.open : undefined));
    assert.match(
      open,
      new RegExp(
        `^1 min 40 s ${when(600)} – ${clock(700)} UTC, opened [^()]+ ago \\(\\d{4}-\\d\\d-\\d\\d [\\d:.]+ UTC\\), held by node-b \\(all\\)$`,
      ),
    );
    assert.equal(await page.textContent('#q-0 .incidentlist .inchead'), 'Open (1)');
    // a page loaded now reads the same from the list
    const fresh = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const freshProblems = watchProblems(fresh);
    await fresh.goto(`${a.url}/`, { waitUntil: 'networkidle' });
    const [listed] = await until('the open incident from the list', fresh, (d) => (d.open.length === 1 ? d.open : undefined));
    assert.equal(listed.replace(/opened .* ago/, ''), open.replace(/opened .* ago/, ''));
    assert.deepEqual(freshProblems, []);
    await fresh.close();
  });

  it('half of it put back: what is still missing is named', async () => {
    putBack(600, 650);
    const [open] = await until('the incident to shrink', page, (d) => (d.open[0]?.includes('still missing') ? d.open : undefined));
    assert.ok(open.startsWith(`1 min 40 s ${when(600)} – ${clock(700)} UTC, opened `), open);
    assert.ok(open.endsWith(`; still missing: ${clock(650)} – ${clock(700)} (50 s), held by node-b (all)`), open);
    await page.screenshot({ path: await screenshotPath('status-page-incident-open.png'), fullPage: true });
  });

  it('the rest put back: it moves to the recently closed ones with its time to fill', async () => {
    putBack(650, 700);
    const [closed] = await until('the closed incident', page, (d) => (d.open.length === 0 && d.closed.length === 1 ? d.closed : undefined));
    const [x] = ((await (await fetch(`${a.url}/api/v1/incidents?state=closed`)).json()) as { incidents: IncidentItem[] }).incidents;
    assert.equal(x.closed_how, 'filled');
    assert.ok(x.fill_delay_seconds !== null && x.fill_delay_seconds > 0);
    const fill = formatDuration(Math.round(x.fill_delay_seconds * 1e6));
    assert.match(
      closed,
      new RegExp(`^1 min 40 s ${when(600)} – ${clock(700)} UTC, filled after ${fill.replace(/\./g, '\\.')} \\(closed [^()]+ ago\\)$`),
    );
    assert.equal(
      await page.$eval('#q-0 li.incident.closed .fill', (f) => getComputedStyle(f).color),
      'rgb(26, 127, 55)',
      'a fill in green',
    );
    assert.deepEqual(await page.$$eval('#q-0 .incidentlist .inchead', (ps) => ps.map((p) => p.textContent)), [
      'Open (0): none.',
      'Recently closed, the newest first',
    ]);
    assert.deepEqual(problems, [], "the list came through the page's CSP (connect-src 'self')");
    assert.equal(listFetches, 1, 'the list was loaded once; every change came over the event stream');
    await page.screenshot({ path: await screenshotPath('status-page-incidents.png'), fullPage: true });
  });
});
