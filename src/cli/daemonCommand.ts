import type { CommandModule } from 'yargs';
import { runDaemon } from '../daemon/daemon.js';
import { DAEMON_OPTIONS, resolveDaemonConfig } from './daemonOptions.js';

/** `segcov [CHANNEL...]`: the coverage daemon (SPEC §7). */
export const daemonCommand: CommandModule<object, Record<string, unknown>> = {
  command: '$0 [channels..]',
  describe: 'Watch the store and export coverage (the default command)',
  builder: (y) => y
    .positional('channels', { type: 'string', array: true, describe: 'Channels to check' })
    .options(DAEMON_OPTIONS)
    .option('peers', { hidden: true, describe: 'Config only: node name → base URL of other segcov nodes' }) as never,
  handler: async (argv) => {
    const code = await runDaemon(resolveDaemonConfig(argv));
    process.exitCode = code;
  },
};
