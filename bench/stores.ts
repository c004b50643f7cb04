/**
 * The benchmark's generated stores, cached in SEGCOV_BENCH_DIR (default /dev/shm/segcov-bench:
 * creating a million files on this machine's disk takes ~20 minutes, on tmpfs about a minute).
 * Run directly (`node dist/bench/stores.js`) to generate them ahead of `npm run bench`.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDemoStore } from '../src/demo/demoStore.js';
import { formatSegmentName } from '../src/store/segmentName.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE =
  process.env.SEGCOV_BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm/segcov-bench' : path.join(REPO, 'bench', '.cache'));
/** Start of the first hour of every store (µs). */
export const FIRST_HOUR = Date.UTC(2026, 9, 1) * 1000;
export const FOUR_QUALITIES = ['source', '480p', '720p', '360p'];

export interface BenchStore {
  readonly name: string;
  readonly base: string;
  readonly hours: number;
  readonly qualities: readonly string[];
}

/** One channel (`bench`), `hours` hours × 1800 segments with realistic faults, per quality. */
export function ensureStore(hours: number, qualities: readonly string[]): BenchStore {
  const name = `${hours}h-${qualities.length}q`;
  const base = path.join(CACHE, name);
  const marker = path.join(base, '.complete-v1');
  if (!existsSync(marker)) {
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    const t0 = performance.now();
    const files = writeDemoStore({
      base,
      channel: 'bench',
      qualities,
      firstHour: FIRST_HOUR,
      hours,
      seed: 5,
      onHour: (d, t) => {
        if (d % 96 === 0) process.stderr.write(`  generating ${name}: ${d}/${t} hour folders\n`);
      },
    });
    writeFileSync(marker, String(files));
    console.error(`  generated ${name}: ${files} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { name, base, hours, qualities };
}

/**
 * Writes new segment number `seq` (2 s, full, starting seq × 2 s into the hour) into the hour
 * folder `dir` as a recorder does: a hidden temporary name, then renamed. `tag` starts its hash.
 */
export function recordSegment(dir: string, seq: number, tag: string): void {
  const name = formatSegmentName(seq * 2_000_000, 2_000_000, 'full', `${tag}${String(seq).padStart(7, '0')}`);
  const tmp = path.join(dir, `.${name}.part`);
  writeFileSync(tmp, '');
  renameSync(tmp, path.join(dir, name));
}

/** Every store the bench uses. */
export function allStores(): { growth: BenchStore[]; four: BenchStore } {
  return {
    growth: [ensureStore(24, ['source']), ensureStore(168, ['source']), ensureStore(720, ['source'])],
    four: ensureStore(168, FOUR_QUALITIES),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) allStores();
