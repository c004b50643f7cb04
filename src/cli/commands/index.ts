import type { CommandModule } from 'yargs';
import { DAEMON_OPTIONS } from '../daemonFlags.js';
import type { OptionTable } from '../settingsSources.js';
import { CHECK_OPTIONS, checkCommand } from './check.js';
import { chunkCommand } from './chunk.js';
import { FILL_OPTIONS, fillCommand } from './fill.js';
import { REPORT_OPTIONS, reportCommand } from './report.js';
import { VERIFY_OPTIONS, verifyCommand } from './verify.js';
import { IMPORT_OPTIONS } from '../../import/importConfig.js';

/**
 * The subcommands besides the daemon (`segcov [CHANNEL...]`). Each lives in its own
 * module in this folder and is listed here.
 */
export const commands: CommandModule<object, Record<string, unknown>>[] = [
  chunkCommand,
  fillCommand,
  verifyCommand,
  checkCommand,
  reportCommand,
];

/** What each command (`$0`: the daemon) takes from SEGCOV_* variables and config files. */
export interface CommandSettings {
  readonly options: OptionTable;
  /** Keys a config file may hold besides the flags (positionals, config-only keys). */
  readonly extra: ReadonlySet<string>;
}

export const COMMAND_SETTINGS: Readonly<Record<string, CommandSettings>> = {
  $0: { options: DAEMON_OPTIONS, extra: new Set(['channels', 'peers']) },
  check: { options: CHECK_OPTIONS, extra: new Set(['channels']) },
  verify: { options: VERIFY_OPTIONS, extra: new Set() },
  chunk: { options: IMPORT_OPTIONS, extra: new Set(['source']) },
  fill: { options: FILL_OPTIONS, extra: new Set(['source']) },
  report: { options: REPORT_OPTIONS, extra: new Set(['channels']) },
};

/** The command names a command line may start with. */
export const COMMAND_NAMES = ['chunk', 'fill', 'verify', 'check', 'report'];

/** Every key any command but `own` takes. */
export function othersKeys(own: CommandSettings): Set<string> {
  const out = new Set<string>();
  for (const s of Object.values(COMMAND_SETTINGS)) {
    if (s === own) continue;
    for (const k of [...Object.keys(s.options), ...s.extra]) out.add(k);
  }
  return out;
}
