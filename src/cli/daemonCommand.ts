import { setFlagsFromString } from 'node:v8';
import type { CommandModule } from 'yargs';
import { resolveDaemonConfig } from './daemonOptions.js';
import { DAEMON_OPTIONS } from './daemonFlags.js';
import { givenAt } from './exporterFlags.js';
import { daemonConfigLoader } from './reloadConfig.js';
import { UsageError } from '../config/usageError.js';

/** `segcov [CHANNEL...]`: the coverage daemon (docs/operating.md), run from the command line `args`. */
export const daemonCommand = (args: readonly string[]): CommandModule<object, Record<string, unknown>> => ({
  command: '$0 [channels..]',
  describe: 'Watch the store and export coverage (the default command)',
  builder: (y) =>
    y
      .parserConfiguration({ 'dot-notation': false }) // --web.config.file is one flag, as in node_exporter
      .positional('channels', { type: 'string', array: true, describe: 'Channels to check' })
      .options(DAEMON_OPTIONS)
      .option('peers', { hidden: true, describe: 'Config only: node name → base URL of other segcov nodes' }) as never,
  handler: async (argv) => {
    const config = resolveDaemonConfig(argv, givenAt(args, process.env, argv));
    // once start-up's garbage goes idle, one full collection hands back nearly what V8's three
    // would, for a third of the idle CPU (bench/METHOD.md); V8 reads the flag at each wake-up
    if (!config.runOnce) setFlagsFromString('--memory-reducer-single-gc');
    // loaded here, not at start-up: `segcov --help` and the other commands stay quick
    const { runDaemon } = await import('../daemon/daemon.js');
    // only with --web.config.file (it loads Node's tls): checked up front, also when no server
    // will read it (--metrics-port 0, --run-once); not reloadable, so no other run needs it
    const webConfig = config.webConfigFile === undefined ? null : await import('../outputs/http/webConfig.js');
    const asUsage = (e: unknown): never => {
      if (webConfig !== null && e instanceof webConfig.WebConfigError) throw new UsageError(`--web.config.file: ${e.message}`, true);
      throw e;
    };
    if (webConfig !== null && config.webConfigFile !== undefined) {
      try {
        webConfig.loadWebConfig(config.webConfigFile);
      } catch (e) {
        asUsage(e);
      }
    }
    const configFile = typeof argv.config === 'string' ? argv.config : undefined;
    const code = await runDaemon(config, { reloadConfig: daemonConfigLoader(args), configFile }).catch(asUsage);
    process.exitCode = code;
    // a run-once has written everything it writes (logs go to stderr synchronously): exit
    // now instead of waiting for Node to tear the heap and its threads down one by one
    if (config.runOnce) process.exit(code);
  },
});
