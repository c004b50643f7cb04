import path from 'node:path';
import type { CommandModule, Options } from 'yargs';
import { HISTORY_FILE, readHistoryFile } from '../../history/historyFile.js';
import type { StoredIncident } from '../../history/historyRecords.js';
import { DEFAULT_OUTPUT_DIR } from '../../store/layout.js';
import { formatReportMarkdown, formatReportText, qualityReport, reportJson } from '../historyReport.js';
import { UsageError } from '../../config/usageError.js';
import { runCheck } from '../checkPass.js';
import { CHECK_OPTIONS, resolveCheckOptions } from './check.js';
import { errorMessage } from '../../errorMessage.js';

/** The flags of `segcov report` (its config keys and SEGCOV_* names too). */
export const REPORT_OPTIONS = {
  'base-dir': CHECK_OPTIONS['base-dir'],
  qualities: CHECK_OPTIONS.qualities,
  since: { type: 'string', describe: 'Range start (ISO-8601; UTC when no offset) [default: the first segment]' },
  until: { type: 'string', describe: 'Range end (ISO-8601) [default: the end of the newest segment]' },
  'output-dir': {
    type: 'string',
    default: DEFAULT_OUTPUT_DIR,
    describe: "The daemon's --output-dir, where the hole history (segcov-history.jsonl) is: relative to --base-dir (or absolute)",
  },
  longest: { type: 'number', default: 5, describe: 'How many of the longest holes to list' },
  json: { type: 'boolean', default: false, describe: 'Print the report as JSON' },
  markdown: { type: 'boolean', default: false, describe: 'Print the report as Markdown (for a post-mortem)' },
  concurrency: CHECK_OPTIONS.concurrency,
} as const satisfies Record<string, Options>;

/**
 * The history's incidents, read without writing anything (a daemon may be running, or
 * none): a missing file is no history; an unreadable or corrupt one is named on stderr.
 */
async function readIncidents(file: string, nowMs: number): Promise<{ incidents: StoredIncident[]; from: string | null }> {
  try {
    const got = await readHistoryFile(file, nowMs, { setAside: false });
    if (!got.found) return { incidents: [], from: null };
    return { incidents: [...got.state.incidents.values()], from: file };
  } catch (e) {
    process.stderr.write(`segcov: warning: hole history not used: ${errorMessage(e)}\n`);
    return { incidents: [], from: null };
  }
}

/** `segcov report CHANNEL...`: after the event, from the store and the hole history; works with no daemon running. */
export const reportCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'report [channels..]',
  describe:
    'After the event: per channel and quality over --since/--until, coverage, holes still missing, holes recovered and how long they took, the longest holes',
  builder: (y) =>
    y.positional('channels', { type: 'string', array: true, describe: 'Channels to report on' }).options(REPORT_OPTIONS) as never,
  handler: async (argv) => {
    const opts = await resolveCheckOptions({ ...argv, json: false });
    if (argv.json === true && argv.markdown === true) throw new UsageError('--markdown: give either --json or --markdown, not both');
    const longest = Number(argv.longest ?? 5);
    if (!Number.isInteger(longest) || longest < 0) throw new UsageError(`--longest: ${JSON.stringify(argv.longest)} is not a whole number`);
    const nowUs = Date.now() * 1000;
    const history = await readIncidents(
      path.join(path.resolve(opts.baseDir, String(argv['output-dir'] ?? DEFAULT_OUTPUT_DIR)), HISTORY_FILE),
      nowUs / 1000,
    );
    const checks = await runCheck(opts, nowUs);
    const reports = checks.map((c) => qualityReport(c, history.incidents, opts.window, longest));
    if (argv.json === true) process.stdout.write(`${JSON.stringify(reportJson(reports, history.from, opts.window, nowUs), null, 2)}\n`);
    else if (argv.markdown === true) process.stdout.write(formatReportMarkdown(reports, history.from, opts.window, nowUs));
    else process.stdout.write(formatReportText(reports, history.from));
  },
};
