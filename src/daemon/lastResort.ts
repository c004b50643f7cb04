import type { Logger } from '../log.js';

/** Exit status after an error nothing else caught. */
export const UNCAUGHT_EXIT_CODE = 1;

/**
 * The last resort: an error that escaped every handler (a bug) is logged as one JSON
 * line, with its stack, and the process exits non-zero, so the service manager restarts
 * it and the journal says why.
 */
export function installLastResort(log: Logger, exit: (code: number) => void = (c) => process.exit(c)): void {
  const die =
    (origin: string) =>
    (err: unknown): void => {
      try {
        log.fatal({ err, origin }, `uncaught error (${origin}); exiting`);
      } finally {
        exit(UNCAUGHT_EXIT_CODE);
      }
    };
  process.on('uncaughtException', die('uncaughtException'));
  process.on('unhandledRejection', die('unhandledRejection'));
}
