import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { segcovVersion } from '../packageFiles.js';
import { COMMAND_NAMES, COMMAND_SETTINGS, commands, othersKeys, type CommandSettings } from './commands/index.js';
import { configParserFor } from './configFile.js';
import { daemonCommand } from './daemonCommand.js';
import { ENV_PREFIX, commandOf, selectEnv } from './settingsSources.js';
import { configFileMessage, unknownArgumentsMessage } from './usageMessages.js';
import { UsageError } from '../config/usageError.js';
import { exitUsage } from './exitUsage.js';
import { holdEarlyHangup, releaseEarlyHangupAsDefault } from '../earlyHangup.js';
import { errorMessage } from '../errorMessage.js';

/** Our own usage errors, and yargs' (YError: e.g. a --config file it could not load). */
function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || (e instanceof Error && e.name === 'YError');
}

/**
 * Leaves in process.env only the SEGCOV_* variables of the command that runs (booleans
 * normalised); warns once per variable no command knows.
 */
function applyEnv(settings: CommandSettings): void {
  const own = { ...settings.options, config: { type: 'string' as const } };
  const { env, warnings } = selectEnv(process.env, own, othersKeys(settings));
  for (const name of Object.keys(process.env)) if (name.startsWith(ENV_PREFIX)) delete process.env[name];
  Object.assign(process.env, env);
  for (const w of warnings) process.stderr.write(`segcov: warning: ${w}\n`);
}

/** Runs the segcov command line. Usage errors print one line and exit 2. */
export async function main(argv: string[]): Promise<void> {
  // the config files read, with their keys: a bad value from one is reported with its name
  const configKeys = new Map<string, ReadonlySet<string>>();
  const command = commandOf(argv, COMMAND_NAMES);
  // for a subcommand SIGHUP is a hangup, as for any one-shot command
  if (command !== '$0') await releaseEarlyHangupAsDefault();
  const explain = (msg: string, err?: unknown): string => {
    const text = unknownArgumentsMessage(msg, argv, command === '$0' ? 'segcov' : `segcov ${command}`);
    return err instanceof UsageError && err.inNamedFile ? text : configFileMessage(text, argv, process.env, configKeys);
  };
  try {
    const settings = COMMAND_SETTINGS[command];
    applyEnv(settings);
    const parseConfig = configParserFor(settings.options, settings.extra, othersKeys(settings));
    const configFor = (file: string): Record<string, unknown> => {
      const doc = parseConfig(file);
      configKeys.set(file, new Set(Object.keys(doc)));
      return doc;
    };
    const parser = yargs(argv)
      .scriptName('segcov')
      .usage('$0 [CHANNEL...] --base-dir DIR [options]\n\nWatches a segment store and exports exact coverage.')
      .command(daemonCommand(argv))
      .command(commands)
      .option('config', { type: 'string', describe: 'YAML config file (keys are flag names)', config: true, configParser: configFor })
      .env('SEGCOV')
      .strict()
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .fail((msg, err) => {
        if (err !== undefined && err !== null && !isUsageError(err)) throw err;
        exitUsage(explain(msg ?? err?.message ?? 'invalid arguments', err));
      })
      .help()
      .alias('help', 'h')
      // given, not guessed: yargs would look for a package.json from the working folder when bundled
      .version(segcovVersion())
      .alias('version', 'V');
    await parser.parseAsync();
  } catch (e) {
    if (isUsageError(e)) exitUsage(explain((e as Error).message, e));
    process.stderr.write(`segcov: ${errorMessage(e)}\n`);
    process.exit(1);
  }
}

/** The `segcov` executable's entry point. */
export function runFromProcess(releaseHangup?: () => boolean): Promise<void> {
  if (releaseHangup !== undefined) holdEarlyHangup(releaseHangup);
  return main(hideBin(process.argv));
}
