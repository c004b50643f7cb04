import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The level names a logged line is counted under: those of Python's logging, which the
 * replaced checker (and the rest of wubloader) count in `log_count_total{level}` and
 * whose overview dashboard filters on (`level!="INFO"`).
 */
export const LOG_COUNT_LEVEL: Readonly<Record<string, string>> = {
  trace: 'DEBUG', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL',
};

/**
 * Structured JSON logs on stderr (stdout stays free for command output such as tables
 * and manifests). Under systemd or Docker both end up in the journal / container log.
 * `onLine` is called with the level name of every line written (not of lines below the
 * level, which pino never formats).
 */
export function createLogger(level = 'info', stream: NodeJS.WritableStream = process.stderr, onLine?: (level: string) => void): Logger {
  return pino({
    level,
    base: { app: 'segcov' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(onLine === undefined ? {} : {
      hooks: {
        logMethod(args, method, num) {
          onLine(LOG_COUNT_LEVEL[pino.levels.labels[num]] ?? String(num));
          return method.apply(this, args);
        },
      },
    }),
  }, stream);
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
