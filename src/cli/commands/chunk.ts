import type { CommandModule } from 'yargs';
import { createLogger } from '../../log.js';
import { IMPORT_OPTIONS, resolveImportConfig } from '../../import/importConfig.js';

/** `segcov chunk SOURCE …`: cut a recording into store segments. */
export const chunkCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'chunk <source>',
  describe: 'Cut a recording into store segments (re-encoded MPEG-TS)',
  builder: (y) => y.positional('source', { type: 'string', describe: 'Recording to import' }).options(IMPORT_OPTIONS) as never,
  handler: async (argv) => {
    const cfg = resolveImportConfig(argv);
    // loaded when the command runs: every segcov start reads this module for its option table
    const { runChunk } = await import('../../import/runImport.js');
    process.exitCode = await runChunk(cfg, {
      out: (l) => process.stdout.write(`${l}\n`),
      logger: createLogger(cfg.logLevel),
      progressBar: true,
    });
  },
};
