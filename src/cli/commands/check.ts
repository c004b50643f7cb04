import path from 'node:path';
import type { CommandModule, Options } from 'yargs';
import { hourStripLine, stripLegend, useColor } from '../../outputs/hourStrip.js';
import { HOUR_US, SECOND_US } from '../../coverage/types.js';
import { ProgressBar } from '../../outputs/progressBar.js';
import { analyzeHourFolders, listQualityHours } from '../../scan/coldPass.js';
import { coldPassThreads, endPrestartedWorkers, HourWorkerPool } from '../../scan/hourWorkerPool.js';
import { missingChannels, missingChannelsText, probeBaseDir, unreadableText } from '../../store/baseDir.js';
import { DEFAULT_OUTPUT_DIR } from '../../store/layout.js';
import type { HourFolder, HourWindow } from '../../store/listHours.js';
import type { ProblemKind } from '../../store/problems.js';
import { parseIsoTime } from '../../time/isoTime.js';
import { checkExitCode, checkJson, checkQuality, formatCheckText, type CheckWindow, type QualityCheck } from '../checkReport.js';
import { checkName, list } from '../daemonOptions.js';
import { UsageError } from '../usageError.js';

/** Validated `segcov check` settings. */
export interface CheckOptions {
  readonly channels: readonly string[];
  readonly qualities: readonly string[];
  readonly baseDir: string;
  readonly window: CheckWindow;
  readonly maxAgeUs?: number;
  readonly json: boolean;
  readonly concurrency: number;
  /** Worker threads for the pass (0: in-process; default: from the cores). */
  readonly coldThreads?: number;
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
  channels.forEach((c) => checkName('CHANNEL', c));
  const qualities = list(argv.qualities);
  if (qualities.length === 0) throw new UsageError('--qualities: give at least one quality');
  qualities.forEach((q) => checkName('--qualities', q));
  const since = time('since', argv.since);
  const until = time('until', argv.until);
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until: must be after --since');
  const base = String(argv['base-dir'] ?? '');
  if (base === '') throw new UsageError('--base-dir: must not be empty');
  const state = await probeBaseDir(base);
  if (state.kind === 'missing') throw new UsageError(`--base-dir: ${base} does not exist`);
  if (state.kind === 'not_a_folder') throw new UsageError(`--base-dir: ${base} is not a folder`);
  if (state.kind === 'unreadable') throw new UsageError(`--base-dir: ${base} ${unreadableText(state.code)}`);
  let maxAgeUs: number | undefined;
  if (argv['max-age'] !== undefined) {
    const n = Number(argv['max-age']);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--max-age: ${JSON.stringify(argv['max-age'])} is not a positive number of seconds`);
    maxAgeUs = Math.round(n * SECOND_US);
  }
  const concurrency = Number(argv.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError(`--concurrency: ${JSON.stringify(argv.concurrency)} is not a whole number from 1 to 256`);
  const coldThreads = argv['cold-threads'] === undefined ? undefined : Number(argv['cold-threads']);
  if (coldThreads !== undefined && (!Number.isInteger(coldThreads) || coldThreads < 0 || coldThreads > 16)) throw new UsageError(`--cold-threads: ${JSON.stringify(argv['cold-threads'])} is not a whole number from 0 to 16`);
  return {
    channels, qualities, baseDir: path.resolve(base), window: { since, until }, maxAgeUs,
    json: argv.json === true, concurrency, coldThreads,
  };
}

/**
 * The hours to read for a window: from the hour before `since` (a segment that starts
 * there may run into the window) to the hour that holds the last instant before `until`.
 */
export function hoursToRead(w: CheckWindow): HourWindow {
  return {
    firstHour: w.since === undefined ? undefined : Math.floor(w.since / HOUR_US) * HOUR_US - HOUR_US,
    lastHour: w.until === undefined ? undefined : Math.floor((w.until - 1) / HOUR_US) * HOUR_US,
  };
}

/**
 * One pass over every channel and quality. `progress` receives (done, total) hour counts;
 * the pass first lists every hour folder so the total is known.
 */
export async function runCheck(opts: CheckOptions, nowUs: number, progress?: (done: number, total: number) => void): Promise<QualityCheck[]> {
  const read = hoursToRead(opts.window);
  const jobs: { channel: string; quality: string; folders: HourFolder[]; problems: Partial<Record<ProblemKind, number>> }[] = [];
  for (const channel of opts.channels) {
    for (const quality of opts.qualities) {
      const problems: Partial<Record<ProblemKind, number>> = {};
      const report = (kind: ProblemKind): void => { problems[kind] = (problems[kind] ?? 0) + 1; };
      const folders = await listQualityHours({ base: opts.baseDir, channel, quality, window: read, report });
      jobs.push({ channel, quality, folders, problems });
    }
  }
  const total = jobs.reduce((s, j) => s + j.folders.length, 0);
  let done = 0;
  progress?.(0, total);
  // every hour is read once: in batches on the main thread and, with enough cores, on worker
  // threads (a batch they fail is read in-process)
  const workers = new HourWorkerPool({ threads: opts.coldThreads ?? coldPassThreads(), mainLane: true });
  try {
    return await Promise.all(jobs.map(async (job) => {
      const report = (kind: ProblemKind): void => { job.problems[kind] = (job.problems[kind] ?? 0) + 1; };
      const pass = await analyzeHourFolders(job.folders, {
        base: opts.baseDir, channel: job.channel, quality: job.quality, window: read, concurrency: opts.concurrency, report, workers,
      }, () => progress?.(++done, total));
      const hours = pass?.hours ?? [];
      return checkQuality(job.channel, job.quality, hours, opts.window, { nowUs, maxAgeUs: opts.maxAgeUs, problems: job.problems });
    }));
  } finally {
    await Promise.all([workers.close(), endPrestartedWorkers()]);
  }
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
  since: { type: 'string', describe: 'Window start (ISO-8601; UTC when no offset) [default: the start of the first hour with a segment]' },
  until: { type: 'string', describe: 'Window end (ISO-8601) [default: the end of the newest segment]' },
  'max-age': { type: 'number', describe: 'Also fail when the newest segment ended more than this many seconds ago' },
  json: { type: 'boolean', default: false, describe: 'Print the report as JSON' },
  concurrency: { type: 'number', default: 4, describe: 'Hour folders read at once' },
  // A knob, not a feature: tests set it to 0 so the bar is drawn however fast the pass is.
  'progress-delay-ms': { type: 'number', default: 1000, hidden: true, describe: 'Draw the progress bar only after this many ms' },
  // A knob, not a feature: benchmarks and tests set the pass's worker threads (0: in-process).
  'cold-threads': { type: 'number', hidden: true, describe: 'Worker threads for the pass, beside the main thread (0: the main thread only) [default: cores - 1, at most 3; none on one core]' },
} as const satisfies Record<string, Options>;

/** The bar's start delay: 1 s unless the hidden `--progress-delay-ms` knob says otherwise. */
function progressDelayMs(v: unknown): number {
  const n = Number(v ?? 1000);
  return Number.isFinite(n) && n >= 0 ? n : 1000;
}

/** `segcov check CHANNEL...`: one pass, a report, and an exit status for cron and CI. */
export const checkCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'check [channels..]',
  describe: 'One pass: report coverage and holes; exit 0 when no hole in the window, 1 when there are holes, 2 on usage errors',
  builder: (y) => y
    .positional('channels', { type: 'string', array: true, describe: 'Channels to check' })
    .options(CHECK_OPTIONS) as never,
  handler: async (argv) => {
    const opts = await resolveCheckOptions(argv);
    const nowUs = Date.now() * 1000;
    // a typo, or a stray space in a list (`--qualities source, 480p`), names a channel that is not there
    const missing = await missingChannels(opts.baseDir, opts.channels, new Set([DEFAULT_OUTPUT_DIR]));
    if (missing !== null) process.stderr.write(`segcov: warning: ${missingChannelsText(opts.baseDir, missing)}
`);
    // Drawn on stderr only when it is a terminal, and only once the pass has run for a second.
    let bar: ProgressBar | null = null;
    const results = await runCheck(opts, nowUs, (done, total) => {
      bar ??= new ProgressBar({ total, label: 'check', stream: process.stderr, delayMs: progressDelayMs(argv['progress-delay-ms']) });
      bar.update(done, 'hours');
    });
    (bar as ProgressBar | null)?.finish();
    process.stdout.write(opts.json ? `${JSON.stringify(checkJson(results, opts.window, nowUs), null, 2)}\n` : checkStrips(results, nowUs, useColor(process.stdout)) + formatCheckText(results, nowUs));
    process.exitCode = checkExitCode(results);
  },
};
