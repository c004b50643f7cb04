import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { cleanEnv, startDaemon, type RunningDaemon } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { launchChromium, screenshotPath, watchProblems } from './helpers/browser.js';

/**
 * Issue 25: a real daemon given wubloader's placeholder window (1969-12-31 to 1970-01-07)
 * over a store recorded in 2026. Each card says so in a banner, with both spans.
 */
let dir: string;
let d: RunningDaemon;
let browser: Browser;

before(async () => {
  dir = await makeTmpDir('page-window-miss');
  const store = path.join(dir, 'store');
  for (const h of ['10', '11', '12', '13']) fillHour(store, 'c', 'source', `2026-11-01T${h}`, 0, 3600);
  d = await startDaemon(
    [
      'c',
      '--base-dir',
      store,
      '--qualities',
      'source',
      '--output-dir',
      path.join(dir, 'out'),
      '--first-hour',
      '1969-12-31T00',
      '--last-hour',
      '1970-01-07T00',
      '--log-level',
      'error',
    ],
    { env: cleanEnv() },
  );
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await d?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it('a window that holds none of the recording is said in a banner, with the window and the recorded span', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`${d.url}/`, { waitUntil: 'networkidle' });
  assert.equal(
    await page.textContent('#q-0 .banner.windowmiss'),
    'The window holds none of the recording. ' +
      'Window: 1969-12-31 00:00:00 – 1970-01-07 01:00:00 UTC. Recorded: 2026-11-01 10:00:00 – 2026-11-01 14:00:00 UTC. Check --first-hour and --last-hour.',
  );
  assert.equal(await page.textContent('#q-0 .badge'), 'BAD – window holds none of the recording');
  assert.equal(await page.$eval('#q-0', (a) => a.className), 'quality bad');
  assert.deepEqual(problems, []);
  await page.screenshot({ path: await screenshotPath('status-page-window-miss.png'), fullPage: true });
  await page.close();
});
