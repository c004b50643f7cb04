import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadConfig } from './configFile.js';
import { daemonCommand } from './daemonCommand.js';
import { UsageError, exitUsage } from './usageError.js';

/** Words that make main() load the subcommands: their names and the help flags. */
const SUBCOMMAND_WORDS: ReadonlySet<string> = new Set(['chunk', 'fill', 'verify', 'check', '--help', '-h', 'help']);

/** Our own usage errors, and yargs' (YError: e.g. a --config file it could not load). */
function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || (e instanceof Error && e.name === 'YError');
}

/** Runs the segcov command line. Usage errors print one line and exit 2. */
export async function main(argv: string[]): Promise<void> {
  // The subcommands (and the import, web and check code they pull in) load only when the
  // command line names one or asks for help: the daemon starts without them.
  const commands = argv.some((a) => SUBCOMMAND_WORDS.has(a))
    ? (await import('./commands/index.js')).commands
    : [];
  const parser = yargs(argv)
    .scriptName('segcov')
    .usage('$0 [CHANNEL...] --base-dir DIR [options]\n\nWatches a segment store and exports exact coverage.')
    .command(daemonCommand)
    .command(commands)
    .option('config', { type: 'string', describe: 'YAML config file (keys are flag names)', config: true, configParser: loadConfig })
    .env('SEGCOV')
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err !== undefined && err !== null && !isUsageError(err)) throw err;
      exitUsage(msg ?? err?.message ?? 'invalid arguments');
    })
    .help()
    .version();
  try {
    await parser.parseAsync();
  } catch (e) {
    if (isUsageError(e)) exitUsage((e as Error).message);
    process.stderr.write(`segcov: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

/** The `segcov` executable's entry point. */
export function runFromProcess(): Promise<void> {
  return main(hideBin(process.argv));
}
