import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { COMMAND_SETTINGS, othersKeys } from './commands/index.js';
import { configParserFor } from './configFile.js';
import { resolveDaemonConfig, type DaemonConfig } from './daemonOptions.js';
import { DAEMON_OPTIONS } from './daemonFlags.js';
import { UsageError } from '../config/usageError.js';
import { givenAt } from './exporterFlags.js';

const DAEMON = COMMAND_SETTINGS.$0;

/**
 * For SIGHUP: parses the daemon's command line again as at start-up (flags > SEGCOV_* >
 * --config file > defaults), so the --config file is read afresh. Throws on any mistake
 * in it; the running daemon then keeps its config.
 */
export function daemonConfigLoader(args: readonly string[] = hideBin(process.argv)): () => Promise<DaemonConfig> {
  return async () => {
    // regular files only: a pipe was read once, at start-up (see loadConfig)
    const parseFile = configParserFor(DAEMON.options, DAEMON.extra, othersKeys(DAEMON), false);
    const argv = await yargs([...args])
      .options(DAEMON_OPTIONS)
      .option('peers', {})
      .parserConfiguration({ 'dot-notation': false }) // as at start-up: --web.listen-address is one flag
      // the same reading of the file as at start-up (other commands' keys dropped, peers as written)
      .option('config', { type: 'string', config: true, configParser: parseFile })
      .env('SEGCOV')
      .help(false)
      .version(false)
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .parseAsync();
    const positional = argv._.map(String);
    return resolveDaemonConfig({ ...argv, channels: positional.length > 0 ? positional : argv.channels }, givenAt(args, process.env, argv));
  };
}
