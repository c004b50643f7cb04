import path from 'node:path';
import type { CommandModule, Options } from 'yargs';
import { hourStripLine, stripLegend, useColor } from '../../terminal/hourStrip.js';
import { HOUR_US, SECOND_US } from '../../coverage/types.js';
import { ProgressBar } from '../../terminal/progressBar.js';
import { analyzeHourFolders, listQualityHours } from '../../scan/coldPass.js';
import { missingChannels, missingChannelsText, probeBaseDir, unreadableText } from '../../store/baseDir.js';
import { DEFAULT_OUTPUT_DIR } from '../../store/layout.js';
import { hoursReaching } from '../../scan/reachingHours.js';
import { DEFAULT_LONG_HOLE_US } from '../../coverage/severity.js';
import type { HourResult } from '../../coverage/hourAnalysis.js';
import type { HourFolder, HourWindow } from '../../store/listHours.js';
import type { ProblemKind } from '../../store/problems.js';
import { parseIsoTime } from '../../time/isoTime.js';
import {
  checkExitCode,
  checkJson,
  checkQuality,
  formatCheckText,
  type CheckRules,
  type CheckWindow,
  type QualityCheck,
} from '../checkReport.js';
import { checkName, list } from '../daemonOptions.js';
import { UsageError } from '../../config/usageError.js';

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

function time(flag: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const t = parseIsoTime(String(v));
  if (t === null) throw new UsageError(`--${flag}: "${String(v)}" is not an ISO-8601 time (e.g. 2026-11-01T07:30:00Z)`);
  return t;
}

/** Validates parsed arguments, or throws a UsageError naming the flag (exit 2). */
export async function resolveCheckOptions(argv: Record<string, unknown>): Promise<CheckOptions> {
  const channels = list(argv.channels);
  if (channels.length === 0) throw new UsageError('CHANNEL: give at least one channel (positional argument or `channels` in the config)');
  for (const c of channels) checkName('CHANNEL', c);
  const qualities = list(argv.qualities);
  if (qualities.length === 0) throw new UsageError('--qualities: give at least one quality');
  for (const q of qualities) checkName('--qualities', q);
  const since = time('since', argv.since);
  const until = time('until', argv.until);
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until: must be after --since');
  const base = String(argv['base-dir'] ?? '');
  if (base === '') throw new UsageError('--base-dir: must not be empty');
  const state = await probeBaseDir(base);
  if (state.kind === 'missing') throw new UsageError(`--base-dir: ${base} does not exist`);
  if (state.kind === 'not_a_folder') throw new UsageError(`--base-dir: ${base} is not a folder`);
  if (state.kind === 'unreadable') throw new UsageError(`--base-dir: ${base} ${unreadableText(state.code)}`);
  const maxAgeUs = seconds('max-age', argv['max-age']);
  const longHoleUs = seconds('long-hole', argv['long-hole']) ?? DEFAULT_LONG_HOLE_US;
  const concurrency = Number(argv.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw new UsageError(`--concurrency: ${JSON.stringify(argv.concurrency)} is not a whole number from 1 to 256`);
  return {
    channels,
    qualities,
    baseDir: path.resolve(base),
    window: { since, until },
    maxAgeUs,
    longHoleUs,
    strict: argv.strict === true,
    all: argv.all === true,
    json: argv.json === true,
    concurrency,
  };
}

/** A positive number of seconds as µs, or undefined when not given. */
function seconds(flag: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag}: ${JSON.stringify(v)} is not a positive number of seconds`);
  return Math.round(n * SECOND_US);
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

/** The picture above the table: one strip per channel and quality, one character an hour. */
export function checkStrips(results: readonly QualityCheck[], nowUs: number, color: boolean): string {
  if (results.length === 0) return '';
  const labels = results.map((c) => `${c.channel}/${c.quality}`);
  const w = Math.max(...labels.map((l) => l.length));
  const lines = results.map((c, i) => hourStripLine(labels[i].padEnd(w), c.window, c.holes, nowUs, color));
  return `${lines.join('\n')}\n${stripLegend(color, 'UTC hour')}\n\n`;
}

/** The flags of `segcov check` (its config keys and SEGCOV_* names too). */
export const CHECK_OPTIONS = {
  'base-dir': { type: 'string', default: '.', describe: 'Segment store: BASE/CHANNEL/QUALITY/HOUR/SEGMENT' },
  qualities: { type: 'string', default: 'source', describe: 'Comma-separated qualities to check' },
  since: { type: 'string', describe: 'Window start (ISO-8601; UTC when no offset) [default: the start of the first segment]' },
  until: { type: 'string', describe: 'Window end (ISO-8601) [default: the end of the newest segment]' },
  'max-age': {
    type: 'number',
    describe: 'Also fail (bad: the recording stopped) when the newest segment ended more than this many seconds ago',
  },
  'long-hole': {
    type: 'number',
    describe: 'Seconds: a hole at least this long makes a pair bad (shorter ones: warn)',
    default: DEFAULT_LONG_HOLE_US / SECOND_US,
  },
  strict: { type: 'boolean', default: false, describe: 'Exit 1 on any hole, not only when a pair is bad' },
  all: { type: 'boolean', default: false, describe: 'List every hole, not only the ten longest' },
  json: { type: 'boolean', default: false, describe: 'Print the report as JSON' },
  concurrency: { type: 'number', default: 4, describe: 'Hour folders read at once' },
  // A knob, not a feature: tests set it to 0 so the bar is drawn however fast the pass is.
  'progress-delay-ms': { type: 'number', default: 1000, hidden: true, describe: 'Draw the progress bar only after this many ms' },
} as const satisfies Record<string, Options>;

/** The bar's start delay: 1 s unless the hidden `--progress-delay-ms` knob says otherwise. */
function progressDelayMs(v: unknown): number {
  const n = Number(v ?? 1000);
  return Number.isFinite(n) && n >= 0 ? n : 1000;
}

/** `segcov check CHANNEL...`: one pass, a report, and an exit status for cron and CI. */
export const checkCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'check [channels..]',
  describe:
    'One pass: report coverage, state and holes (longest first); exit 0 when no pair is bad (--strict: no hole at all), 1 otherwise, 2 on usage errors',
  builder: (y) => y.positional('channels', { type: 'string', array: true, describe: 'Channels to check' }).options(CHECK_OPTIONS) as never,
  handler: async (argv) => {
    const opts = await resolveCheckOptions(argv);
    const nowUs = Date.now() * 1000;
    // a typo, or a stray space in a list (`--qualities source, 480p`), names a channel that is not there
    const missing = await missingChannels(opts.baseDir, opts.channels, new Set([DEFAULT_OUTPUT_DIR]));
    if (missing !== null)
      process.stderr.write(`segcov: warning: ${missingChannelsText(opts.baseDir, missing)}
`);
    // Drawn on stderr only when it is a terminal, and only once the pass has run for a second.
    let bar: ProgressBar | null = null;
    const results = await runCheck(opts, nowUs, (done, total) => {
      bar ??= new ProgressBar({ total, label: 'check', stream: process.stderr, delayMs: progressDelayMs(argv['progress-delay-ms']) });
      bar.update(done, 'hours');
    });
    (bar as ProgressBar | null)?.finish();
    const rules = checkRules(opts);
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(checkJson(results, opts.window, nowUs, rules), null, 2)}\n`
        : checkStrips(results, nowUs, useColor(process.stdout)) + formatCheckText(results, nowUs, rules),
    );
    process.exitCode = checkExitCode(results, opts.strict);
  },
};
