import path from 'node:path';

/** `BASE/CHANNEL/QUALITY` */
export function qualityDir(base: string, channel: string, quality: string): string {
  return path.join(base, channel, quality);
}

/** `BASE/CHANNEL/QUALITY/HOUR` */
export function hourDir(base: string, channel: string, quality: string, hour: string): string {
  return path.join(base, channel, quality, hour);
}

/** The default output folder, relative to the base dir: `BASE/coverage-maps`. */
export const DEFAULT_OUTPUT_DIR = 'coverage-maps';

/** The default output folder, `BASE/coverage-maps`. */
export function defaultOutputDir(base: string): string {
  return path.join(base, DEFAULT_OUTPUT_DIR);
}

/** The map file of one channel and quality (docs/coverage.md, The map). */
export function mapFileName(channel: string, quality: string): string {
  return `${channel}_${quality}_coverage.png`;
}

/** The replaced checker's page of one channel and quality, beside its map (`--make-page`). */
export function coveragePageName(channel: string, quality: string): string {
  return `${channel}_${quality}_coverage.html`;
}
