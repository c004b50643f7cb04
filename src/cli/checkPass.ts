import { HOUR_US } from '../coverage/types.js';
import type { HourResult } from '../coverage/hourAnalysis.js';
import { analyzeHourFolders, listQualityHours } from '../scan/coldPass.js';
import { hoursReaching } from '../scan/reachingHours.js';
import type { HourFolder, HourWindow } from '../store/listHours.js';
import type { ProblemKind } from '../store/problems.js';
import { checkQuality, type CheckRules, type CheckWindow, type QualityCheck } from './checkReport.js';

/*
 * `segcov check`'s pass: which hour folders a window needs, read once each (in batches), and
 * judged by the one window-hole and severity definition (checkReport.ts).
 */

/** Validated `segcov check` settings. */
export interface CheckOptions {
  readonly channels: readonly string[];
  readonly qualities: readonly string[];
  readonly baseDir: string;
  readonly window: CheckWindow;
  readonly maxAgeUs?: number;
  /** `--long-hole`, µs: a hole this long makes a pair bad. */
  readonly longHoleUs: number;
  /** `--strict`: any hole fails (exit 1), not only a bad pair. */
  readonly strict: boolean;
  /** `--all`: list every hole, not only the longest ten. */
  readonly all: boolean;
  readonly json: boolean;
  readonly concurrency: number;
}

/** The rules `check` judges and prints by. */
export function checkRules(opts: CheckOptions): CheckRules {
  return { strict: opts.strict, all: opts.all, longHoleUs: opts.longHoleUs };
}

/**
 * The hours read in full for a window: from the hour that holds `since` to the hour that
 * holds the last instant before `until`. Earlier hours whose segments run into the window
 * are found by their names (hoursReaching) and read too.
 */
export function hoursToRead(w: CheckWindow): HourWindow {
  return {
    firstHour: w.since === undefined ? undefined : Math.floor(w.since / HOUR_US) * HOUR_US,
    lastHour: w.until === undefined ? undefined : Math.floor((w.until - 1) / HOUR_US) * HOUR_US,
  };
}

interface CheckJob {
  readonly channel: string;
  readonly quality: string;
  /** The hours to read. */
  readonly folders: HourFolder[];
  /** Every other hour folder: read only when the window holds nothing, to say what was recorded. */
  readonly outside: HourFolder[];
  readonly problems: Partial<Record<ProblemKind, number>>;
}

/** Lists the hours of one pair: those the window needs (with earlier ones reaching into it), and the rest. */
async function planJob(opts: CheckOptions, channel: string, quality: string, read: HourWindow): Promise<CheckJob> {
  const problems: Partial<Record<ProblemKind, number>> = {};
  const report = (kind: ProblemKind): void => {
    problems[kind] = (problems[kind] ?? 0) + 1;
  };
  const inRange = await listQualityHours({ base: opts.baseDir, channel, quality, window: read, report });
  const all = await listQualityHours({ base: opts.baseDir, channel, quality, window: {}, report: () => {} });
  const since = opts.window.since;
  const earlier = read.firstHour === undefined ? [] : all.filter((h) => h.start < (read.firstHour as number));
  const reaching = since === undefined ? [] : await hoursReaching(opts.baseDir, channel, quality, earlier, since, opts.concurrency);
  const folders = [...reaching, ...inRange];
  const taken = new Set(folders.map((h) => h.name));
  return { channel, quality, folders, outside: all.filter((h) => !taken.has(h.name)), problems };
}

/**
 * One pass over every channel and quality. `progress` receives (done, total) hour counts;
 * the pass first lists every hour folder so the total is known.
 */
export async function runCheck(
  opts: CheckOptions,
  nowUs: number,
  progress?: (done: number, total: number) => void,
): Promise<QualityCheck[]> {
  const read = hoursToRead(opts.window);
  const jobs: CheckJob[] = [];
  for (const channel of opts.channels) {
    for (const quality of opts.qualities) jobs.push(await planJob(opts, channel, quality, read));
  }
  const total = jobs.reduce((s, j) => s + j.folders.length, 0);
  let done = 0;
  progress?.(0, total);
  // every hour is read once, in batches read synchronously (see ColdPassOptions.batched)
  return Promise.all(
    jobs.map(async (job) => {
      const report = (kind: ProblemKind): void => {
        job.problems[kind] = (job.problems[kind] ?? 0) + 1;
      };
      const passOpts = {
        base: opts.baseDir,
        channel: job.channel,
        quality: job.quality,
        window: {},
        concurrency: opts.concurrency,
        report,
        batched: true,
      };
      const pass = await analyzeHourFolders(job.folders, passOpts, () => progress?.(++done, total));
      const hours = pass?.hours ?? [];
      const judge = (hs: HourResult[]): QualityCheck =>
        checkQuality(job.channel, job.quality, hs, opts.window, {
          nowUs,
          maxAgeUs: opts.maxAgeUs,
          longHoleUs: opts.longHoleUs,
          problems: job.problems,
        });
      const c = judge(hours);
      // A window that holds nothing while the store holds something elsewhere says what and where.
      const empty = c.cause.kind === 'nothing_recorded' || c.cause.kind === 'window_misses_recording';
      if (!empty || job.outside.length === 0) return c;
      const ends = await recordedEnds(job.outside, (h) => analyzeHourFolders([h], passOpts));
      return ends.length === 0 ? c : judge([...hours, ...ends].sort((a, b) => a.start - b.start));
    }),
  );
}

/**
 * The earliest and the newest of `folders` that hold a best segment, read from each end
 * inwards: what a window holding nothing needs to say what was recorded, without reading
 * the whole store (a segment longer than an hour in a folder between them may reach past
 * the newest one's end; that end is not looked for).
 */
async function recordedEnds(
  folders: readonly HourFolder[],
  read: (h: HourFolder) => Promise<{ hours: HourResult[] } | null>,
): Promise<HourResult[]> {
  const first = async (order: readonly HourFolder[]): Promise<HourResult | null> => {
    for (const h of order) {
      const r = (await read(h))?.hours[0];
      if (r !== undefined && r.chain !== null) return r;
    }
    return null;
  };
  const a = await first(folders);
  if (a === null) return [];
  const b = await first(
    folders
      .slice()
      .reverse()
      .filter((h) => h.start > a.start),
  );
  return b === null ? [a] : [a, b];
}
