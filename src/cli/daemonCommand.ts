import type { CommandModule } from 'yargs';
import { DAEMON_OPTIONS, resolveDaemonConfig } from './daemonOptions.js';
import { daemonConfigLoader } from './reloadConfig.js';

/** `segcov [CHANNEL...]`: the coverage daemon (SPEC §7). */
export const daemonCommand: CommandModule<object, Record<string, unknown>> = {
  command: '$0 [channels..]',
  describe: 'Watch the store and export coverage (the default command)',
  builder: (y) => y
    .positional('channels', { type: 'string', array: true, describe: 'Channels to check' })
    .options(DAEMON_OPTIONS)
    .option('peers', { hidden: true, describe: 'Config only: node name → base URL of other segcov nodes' }) as never,
  handler: async (argv) => {
    const config = resolveDaemonConfig(argv);
    // loaded here, not at start-up: `segcov --help` and the other commands stay quick
    const { runDaemon } = await import('../daemon/daemon.js');
    const configFile = typeof argv.config === 'string' ? argv.config : undefined;
    const code = await runDaemon(config, { reloadConfig: daemonConfigLoader(), configFile });
    process.exitCode = code;
  },
};
