import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stderr (stdout stays free for command output such as tables
 * and manifests). Under systemd or Docker both end up in the journal / container log.
 */
export function createLogger(level = 'info', stream: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level, base: { app: 'segcov' }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
