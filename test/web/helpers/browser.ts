import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SEGCOV_CHROMIUM ?? '/usr/bin/chromium';

const here = path.dirname(fileURLToPath(import.meta.url));
/** `test-artifacts/` at the project root (four levels up from the compiled helpers folder). */
export const ARTIFACTS = path.resolve(here, '../../../../test-artifacts');

/** Starts the Debian Chromium headless; a missing browser fails the test with what to install. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install the Debian package (apt-get install -y --no-install-recommends chromium) or set SEGCOV_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Everything that went wrong while a page loaded: console errors, script errors, failed or error responses. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

export interface ImageState {
  src: string;
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
  visible: boolean;
}

/** Every <img> of the page with whether it loaded. */
export function imageStates(page: Page): Promise<ImageState[]> {
  return page.$$eval('img', (imgs) =>
    imgs.map((i) => ({
      src: i.currentSrc || i.src,
      complete: i.complete,
      naturalWidth: i.naturalWidth,
      naturalHeight: i.naturalHeight,
      visible: !i.hidden,
    })),
  );
}

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
