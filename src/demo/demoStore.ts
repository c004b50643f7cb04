import { closeSync, ftruncateSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HOUR_US } from '../coverage/types.js';
import { formatHourName } from '../store/hourName.js';
import { formatSegmentName } from '../store/segmentName.js';
import { seededRandom } from './random.js';

/** How often each fault of a real recording appears, per segment slot. */
export interface FaultRates {
  /** The slot has no segment (a hole). */
  readonly missing: number;
  /** A second node downloaded the same segment (a losing duplicate). */
  readonly duplicate: number;
  /** Only a suspect segment was saved. */
  readonly suspect: number;
  /** Only a partial segment was saved. */
  readonly partial: number;
  /** A leftover temp file beside the segment. */
  readonly temp: number;
  /** The segment was deleted by an operator (tombstone beside it). */
  readonly tombstone: number;
  /** A file with a name that does not parse. */
  readonly bad: number;
}

export const REALISTIC_FAULTS: FaultRates = {
  missing: 0.002,
  duplicate: 0.01,
  suspect: 0.003,
  partial: 0.002,
  temp: 0.001,
  tombstone: 0.0005,
  bad: 0.0002,
};

export interface StoreSpec {
  readonly base: string;
  readonly channel: string;
  readonly qualities: readonly string[];
  /** Start of the first hour, µs. */
  readonly firstHour: number;
  readonly hours: number;
  /** Segment length in seconds (1800 segments an hour at 2 s). */
  readonly segmentSeconds?: number;
  /** Leave the last hour unfinished after this many seconds (it is still recording). */
  readonly lastHourSeconds?: number;
  readonly faults?: FaultRates;
  readonly seed?: number;
  /** Called after each hour folder is written (progress). */
  readonly onHour?: (done: number, total: number) => void;
}

function hashFor(rand: () => number): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < 43; i++) s += abc[Math.floor(rand() * 64)];
  return s;
}

function touch(file: string, size = 0): void {
  const fd = openSync(file, 'w');
  if (size > 0) ftruncateSync(fd, size);
  closeSync(fd);
}

/**
 * Writes a store that looks like a real recording: 2 s segments with occasional holes,
 * duplicate downloads, suspect and partial segments, temp leftovers, tombstones and bad
 * names. Files are empty except where size decides a best-segment choice. Returns the
 * number of files written.
 */
export function writeDemoStore(spec: StoreSpec): number {
  const rand = seededRandom(spec.seed ?? 1);
  const f = spec.faults ?? REALISTIC_FAULTS;
  const segUs = Math.round((spec.segmentSeconds ?? 2) * 1e6);
  const perHour = Math.floor(HOUR_US / segUs);
  let files = 0;
  const total = spec.hours * spec.qualities.length;
  let done = 0;
  for (const quality of spec.qualities) {
    for (let h = 0; h < spec.hours; h++) {
      const hourStart = spec.firstHour + h * HOUR_US;
      const dir = path.join(spec.base, spec.channel, quality, formatHourName(hourStart));
      mkdirSync(dir, { recursive: true });
      const isLast = h === spec.hours - 1;
      const limit = isLast && spec.lastHourSeconds !== undefined ? Math.floor((spec.lastHourSeconds * 1e6) / segUs) : perHour;
      for (let i = 0; i < limit; i++) {
        const offset = i * segUs;
        const r = rand();
        if (r < f.missing) continue;
        const dur = segUs;
        let type: 'full' | 'suspect' | 'partial' = 'full';
        if (r < f.missing + f.suspect) type = 'suspect';
        else if (r < f.missing + f.suspect + f.partial) type = 'partial';
        const name = formatSegmentName(offset, type === 'partial' ? Math.round(dur * 0.6) : dur, type, hashFor(rand));
        touch(path.join(dir, name), type === 'full' ? 0 : 100_000 + Math.floor(rand() * 1000));
        files++;
        const extra = rand();
        if (extra < f.duplicate) {
          touch(path.join(dir, formatSegmentName(offset, dur, 'full', hashFor(rand))));
          files++;
        } else if (extra < f.duplicate + f.temp) {
          touch(path.join(dir, formatSegmentName(offset, dur, 'temp', 'download')));
          files++;
        } else if (extra < f.duplicate + f.temp + f.tombstone) {
          writeFileSync(path.join(dir, name.replace(/\.ts$/, '.tombstone')), '');
          files++;
        } else if (extra < f.duplicate + f.temp + f.tombstone + f.bad) {
          touch(path.join(dir, `${name.slice(0, 5)}-broken-download.ts`));
          files++;
        }
      }
      done++;
      spec.onHour?.(done, total);
    }
  }
  return files;
}
