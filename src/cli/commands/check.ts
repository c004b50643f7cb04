import path from 'node:path';
import type { CommandModule, Options } from 'yargs';
import { hourStripLine, stripLegend, useColor } from '../../terminal/hourStrip.js';
import { SECOND_US } from '../../coverage/types.js';
import { ProgressBar } from '../../terminal/progressBar.js';
import { missingChannels, missingChannelsText, probeBaseDir, unreadableText } from '../../store/baseDir.js';
import { DEFAULT_OUTPUT_DIR } from '../../store/layout.js';
import { DEFAULT_LONG_HOLE_US } from '../../coverage/severity.js';
import { parseIsoTime } from '../../time/isoTime.js';
import { checkExitCode, checkJson, formatCheckText, type QualityCheck } from '../checkReport.js';
import { checkName, list } from '../daemonOptions.js';
import { checkRules, runCheck, type CheckOptions } from '../checkPass.js';
import { UsageError } from '../../config/usageError.js';

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
