import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createRequire } from 'node:module';
import { COMMAND_NAMES, COMMAND_SETTINGS, commands, type CommandSettings } from './commands/index.js';
import { daemonCommand } from './daemonCommand.js';
import { ENV_PREFIX, commandOf, dedupeUnknownMessage, selectConfig, selectEnv } from './settingsSources.js';
import { UsageError, exitUsage } from './usageError.js';

/** Options every command takes. */
const GLOBAL_KEYS = ['config', 'help', 'version'];

/** Reads a YAML config file for `--config`; any problem is a usage error naming the flag. */
function loadConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--config: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    // loaded only when a config file is given: it is a tenth of a second of start-up
    const YAML = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = YAML.parse(text);
  } catch (e) {
    throw new UsageError(`--config: ${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`--config: ${file} must hold a mapping of flag names to values`);
  return doc as Record<string, unknown>;
}

/**
 * `peers:` as a list of `name=url`: yargs would otherwise add a camelCase copy of every
 * hyphenated node name (`node-b` and `nodeB`); a list is passed through as it is.
 */
function peersAsList(doc: Record<string, unknown>): Record<string, unknown> {
  const p = doc.peers;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return doc;
  return { ...doc, peers: Object.entries(p as Record<string, unknown>).map(([name, url]) => `${name}=${String(url)}`) };
}

/** Our own usage errors, and yargs' (YError: e.g. a --config file it could not load). */
function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || (e instanceof Error && e.name === 'YError');
}

/** Every key any command but `own` takes. */
function othersKeys(own: CommandSettings): Set<string> {
  const out = new Set<string>();
  for (const s of Object.values(COMMAND_SETTINGS)) {
    if (s === own) continue;
    for (const k of [...Object.keys(s.options), ...s.extra]) out.add(k);
  }
  return out;
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
  try {
    const settings = COMMAND_SETTINGS[commandOf(argv, COMMAND_NAMES)];
    applyEnv(settings);
    const others = othersKeys(settings);
    const configFor = (file: string): Record<string, unknown> =>
      peersAsList(selectConfig(loadConfig(file), settings.options, new Set([...settings.extra, ...GLOBAL_KEYS]), others));
    const parser = yargs(argv)
      .scriptName('segcov')
      .usage('$0 [CHANNEL...] --base-dir DIR [options]\n\nWatches a segment store and exports exact coverage.')
      .command(daemonCommand)
      .command(commands)
      .option('config', { type: 'string', describe: 'YAML config file (keys are flag names)', config: true, configParser: configFor })
      .env('SEGCOV')
      .strict()
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .fail((msg, err) => {
        if (err !== undefined && err !== null && !isUsageError(err)) throw err;
        exitUsage(dedupeUnknownMessage(msg ?? err?.message ?? 'invalid arguments'));
      })
      .help()
      .alias('help', 'h')
      .version()
      .alias('version', 'V');
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
