import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { coreRoutes } from '../../src/daemon/coreRoutes.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { passAll } from '../../src/daemon/passes.js';
import { silentLogger } from '../../src/log.js';
import { startHttpServer, type HttpServerHandle } from '../../src/outputs/http/httpServer.js';
import { webRoutes } from '../../src/web/routes.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { imageStates, launchChromium, screenshotPath, watchProblems } from './helpers/browser.js';
import { buildStore, ODD_CHANNEL, SAMPLE_NOW_MS, SAMPLE_SPEC } from './helpers/webFixture.js';
import { createWebContext } from '../../src/web/context.js';

/**
 * The page on top of the real daemon's pass and map writer (not the test's): the routes
 * mounted next to the daemon's own, as the daemon is to mount them.
 */
let base: string;
let server: HttpServerHandle;
let browser: Browser;

before(async () => {
  base = await makeTmpDir('web-daemon');
  await buildStore(base, SAMPLE_SPEC);
  const config = resolveDaemonConfig({
    channels: Object.keys(SAMPLE_SPEC),
    'base-dir': base,
    qualities: 'source,480p',
    'pixel-length': 2,
    rows: 300,
    'metrics-port': 0,
    'metrics-host': '127.0.0.1',
    'check-interval': 300,
    concurrency: 2,
    'log-level': 'silent',
  });
  const parts = createDaemon(config, silentLogger);
  await passAll(parts);
  parts.state.markReady();
  await Promise.all(parts.checkers.map((c) => c.flush()));
  const ctx = createWebContext({ state: parts.state, config, now: () => SAMPLE_NOW_MS });
  server = await startHttpServer('127.0.0.1', 0, [...coreRoutes(parts), ...webRoutes(ctx)], (e) => {
    throw e;
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (base !== undefined) await rm(base, { recursive: true, force: true });
});

it("the daemon's state and maps make a complete page", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(`http://127.0.0.1:${server.port}/`, { waitUntil: 'networkidle' });
  const channels = await page.$$eval('section.channel > h2', (hs) => hs.map((x) => x.textContent));
  assert.deepEqual(channels, ['desertbus', ODD_CHANNEL]);
  const counts = await page.$$eval('b.holecount', (bs) => bs.map((b) => b.textContent));
  assert.deepEqual(counts, ['2', '0', '1', '0']);
  const images = await imageStates(page);
  assert.equal(images.length, 3, 'a map for each quality that has segments');
  for (const img of images) assert.ok(img.complete && img.naturalWidth > 0, `image did not load: ${img.src}`);
  // The drawn size is the map's size times whole scales: 3 hours of 6 columns, 300 rows.
  const drawn = await page.$$eval('.canvas img', (imgs) => (imgs as HTMLImageElement[]).map((i) => [i.naturalWidth, i.naturalHeight]));
  assert.deepEqual(drawn[0], [18, 300]);
  assert.deepEqual(problems, []);
  await page.screenshot({ path: await screenshotPath('status-page-daemon.png'), fullPage: true });
  const metrics = await page.goto(`http://127.0.0.1:${server.port}/metrics`);
  assert.match((await metrics?.text()) ?? '', /raw_holes\{/);
  await page.close();
});
