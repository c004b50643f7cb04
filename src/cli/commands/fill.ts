import type { CommandModule, Options } from 'yargs';
import { createLogger } from '../../log.js';
import { IMPORT_OPTIONS, resolveImportConfig } from '../../import/importConfig.js';
import { useColor } from '../../terminal/hourStrip.js';

/** The flags of `segcov fill`. */
export const FILL_OPTIONS = {
  ...IMPORT_OPTIONS,
  'dry-run': { type: 'boolean', default: false, describe: 'List what would be cut, cut nothing' },
} as const satisfies Record<string, Options>;

/** `segcov fill SOURCE …`: cut only what the store is missing. */
export const fillCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'fill <source>',
  describe: 'Fill the holes of a channel/quality from a recording of that time',
  builder: (y) => y.positional('source', { type: 'string', describe: 'Recording covering the holes' }).options(FILL_OPTIONS) as never,
  handler: async (argv) => {
    const cfg = resolveImportConfig(argv);
    // loaded when the command runs: every segcov start reads this module for its option table
    const { runFill } = await import('../../import/runImport.js');
    process.exitCode = await runFill(cfg, {
      out: (l) => process.stdout.write(`${l}\n`),
      logger: createLogger(cfg.logLevel),
      progressBar: true,
      color: useColor(process.stdout),
    });
  },
};
