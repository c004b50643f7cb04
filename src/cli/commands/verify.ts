import type { CommandModule, Options } from 'yargs';
import { createLogger } from '../../log.js';
import { STORE_OPTIONS, resolveStoreConfig } from '../../import/importConfig.js';
import { parseIsoMicros } from '../../time/isoTime.js';
import { UsageError } from '../../config/usageError.js';

/** The flags of `segcov verify`. */
export const VERIFY_OPTIONS = {
  ...STORE_OPTIONS,
  since: { type: 'string', describe: 'Only segments ending after this time (ISO-8601)' },
  decode: { type: 'boolean', default: false, describe: 'Also decode every segment fully' },
} as const satisfies Record<string, Options>;

/** `segcov verify …`: find segments whose bytes no longer match their name, or that do not play. */
export const verifyCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'verify',
  describe: 'Check stored segments against the hash in their names (and optionally decode them)',
  builder: (y) => y.options(VERIFY_OPTIONS) as never,
  handler: async (argv) => {
    const cfg = resolveStoreConfig(argv);
    let sinceUs: number | null = null;
    if (typeof argv.since === 'string') {
      try {
        sinceUs = parseIsoMicros(argv.since);
      } catch (e) {
        throw new UsageError(`--since: ${(e as Error).message}`);
      }
    }
    // loaded when the command runs: every segcov start reads this module for its option table
    const { verifyStore } = await import('../../import/verifyStore.js');
    const r = await verifyStore({
      base: cfg.base,
      channel: cfg.channel,
      quality: cfg.quality,
      sinceUs,
      stages: argv.decode === true ? ['checksum', 'decode'] : ['checksum'],
      workers: cfg.workers,
      ffmpeg: cfg.ffmpeg,
      logger: createLogger(cfg.logLevel),
      progressBar: true,
    });
    for (const f of r.findings) process.stdout.write(`${f.file}: ${f.problem}\n`);
    process.stdout.write(`checked ${r.checked} segments in ${(r.elapsedMs / 1000).toFixed(1)} s: ${r.findings.length} bad\n`);
    process.exitCode = r.findings.length === 0 ? 0 : 1;
  },
};
