import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { resolveDaemonConfig, type DaemonConfig } from '../../../src/cli/daemonOptions.js';
import type { CoverageMap } from '../../../src/coverage/mapPixels.js';
import { qualityCoverage } from '../../../src/coverage/qualityCoverage.js';
import { HOUR_US, SECOND_US } from '../../../src/coverage/types.js';
import { CoverageState } from '../../../src/live/coverageState.js';
import { parseHourName } from '../../../src/store/hourName.js';
import { mapFileName } from '../../../src/store/layout.js';
import { coldPass } from '../../../src/scan/coldPass.js';
import { makeTmpDir } from '../../helpers/tmp.js';
import { mapToRgb } from '../../helpers/mapRgb.js';

/** A run of equal segments: [first second into the hour, last start (exclusive), length s, type]. */
export type Run = [from: number, to: number, len: number, type: 'full' | 'partial' | 'suspect'];

/** A store layout: channel → quality → hour folder → runs. */
export type StoreSpec = Record<string, Record<string, Record<string, Run[]>>>;

function segName(offsetS: number, len: number, type: string, n: number): string {
  const mm = String(Math.floor(offsetS / 60)).padStart(2, '0');
  const ss = String(offsetS % 60).padStart(2, '0');
  return `${mm}:${ss}.000000-${len}-${type}-AAA${String(n % 10)}.ts`;
}

/** Writes the store's (empty) segment files under `base`. */
export async function buildStore(base: string, spec: StoreSpec): Promise<void> {
  let n = 0;
  for (const [channel, qualities] of Object.entries(spec)) {
    for (const [quality, hours] of Object.entries(qualities)) {
      for (const [hour, runs] of Object.entries(hours)) {
        const dir = path.join(base, channel, quality, hour);
        await mkdir(dir, { recursive: true });
        for (const [from, to, len, type] of runs) {
          for (let t = from; t < to; t += len) await writeFile(path.join(dir, segName(t, len, type, n++)), '');
        }
      }
    }
  }
}

/** A map PNG as docs/coverage.md (The map) paints it (the daemon's writer is not the subject of these tests). */
export async function writeMapPng(file: string, map: CoverageMap): Promise<void> {
  const rgb = mapToRgb(map);
  await mkdir(path.dirname(file), { recursive: true });
  await sharp(rgb, { raw: { width: map.width, height: map.height, channels: 3 } })
    .png()
    .toFile(file);
}

export interface Fixture {
  readonly base: string;
  readonly config: DaemonConfig;
  readonly state: CoverageState;
}

/**
 * Builds the store, runs a cold pass per configured channel and quality (every channel
 * with every quality, as the daemon does; a missing folder gives an empty coverage), fills a CoverageState and
 * writes every map into the output folder: what the daemon will have after a pass.
 */
export async function makeFixture(
  spec: StoreSpec,
  opts: { peers?: Record<string, string>; updatedAt?: number; extra?: Record<string, unknown> } = {},
): Promise<Fixture> {
  const base = await makeTmpDir('web');
  await buildStore(base, spec);
  const channels = Object.keys(spec);
  const qualities = [...new Set(Object.values(spec).flatMap((q) => Object.keys(q)))];
  const config = resolveDaemonConfig({
    channels,
    'base-dir': base,
    qualities: qualities.join(','),
    'output-dir': path.join(base, 'coverage-maps'),
    'pixel-length': 2,
    rows: 300,
    'metrics-port': 0,
    'metrics-host': '127.0.0.1',
    'check-interval': 300,
    concurrency: 2,
    'log-level': 'info',
    watch: true,
    peers: opts.peers,
    ...opts.extra,
  });
  const state = new CoverageState();
  for (const channel of channels) {
    for (const quality of config.qualities) {
      const pass = await coldPass({ base, channel, quality, window: {}, concurrency: 2, report: () => {} });
      if (pass === null) throw new Error('pass stopped');
      const coverage = qualityCoverage(pass.hours, {
        firstHour: config.firstHour,
        lastHour: config.lastHour,
        pixelSeconds: config.pixelLength,
        rows: config.rows,
      });
      state.set({ channel, quality, coverage, updatedAt: opts.updatedAt ?? 1_000 });
      if (coverage.map !== null) await writeMapPng(path.join(config.outputDir, mapFileName(channel, quality)), coverage.map);
    }
  }
  state.markReady();
  return { base, config, state };
}

/** An odd channel name: HTML syntax, quotes, spaces and non-ASCII, but one path component. */
export const ODD_CHANNEL = `<img src=x onerror=alert(1)> & "ch" 'é' %2e`;

/**
 * Three hours of the main channel with two holes and a partial-only span, a second
 * quality that is whole, and the odd channel with an hour missing between two.
 */
export const SAMPLE_SPEC: StoreSpec = {
  desertbus: {
    source: {
      '2026-11-01T05': [[0, 3600, 10, 'full']],
      // 06:10:00–06:10:30 missing, 06:30–06:40 partial only.
      '2026-11-01T06': [
        [0, 600, 10, 'full'],
        [630, 1800, 10, 'full'],
        [1800, 2400, 10, 'partial'],
        [2400, 3600, 10, 'full'],
      ],
      // 07:20:00–07:25:00 missing; still recording up to 07:50.
      '2026-11-01T07': [
        [0, 1200, 10, 'full'],
        [1500, 3000, 10, 'full'],
      ],
    },
    '480p': {
      '2026-11-01T06': [[0, 3600, 10, 'full']],
      '2026-11-01T07': [[0, 3000, 10, 'full']],
    },
  },
  [ODD_CHANNEL]: {
    source: {
      '2026-11-01T05': [[0, 3600, 20, 'full']],
      // Hour 06 missing (a white hour on the map, but no raw hole in the per-hour gauges); 07:00:00–07:00:20 missing.
      '2026-11-01T07': [[20, 1800, 20, 'full']],
    },
  },
};

/** Five seconds after the newest segment of SAMPLE_SPEC ends (07:50:00): ms since the epoch. */
export const SAMPLE_NOW_MS = (parseHourName('2026-11-01T07')! + 50 * 60 * SECOND_US + 5 * SECOND_US) / 1000;

export const hourUs = (name: string): number => parseHourName(name)!;
export { HOUR_US, SECOND_US };
