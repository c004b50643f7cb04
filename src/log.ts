import { pino, type Logger } from 'pino';
import { logfmtStream } from './logfmt.js';

export type { Logger };

/**
 * The level names a logged line is counted under: those of Python's logging, which the
 * replaced checker (and the rest of wubloader) count in `log_count_total{level}` and
 * whose overview dashboard filters on (`level!="INFO"`).
 */
export const LOG_COUNT_LEVEL: Readonly<Record<string, string>> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** How a log line is written: a JSON object (the default) or logfmt (`--log.format`). */
export type LogFormat = 'json' | 'logfmt';

/**
 * Structured logs on stderr (stdout stays free for command output such as tables
 * and manifests), one line each, the level by name (`"level":"info"`). Under systemd or
 * Docker both end up in the journal / container log.
 * `onLine` is called with the level name of every line written (not of lines below the
 * level, which pino never formats).
 */
export function createLogger(
  level = 'info',
  stream: NodeJS.WritableStream = process.stderr,
  onLine?: (level: string) => void,
  format: LogFormat = 'json',
): Logger {
  return pino(
    {
      level,
      base: { app: 'segcov' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // a name reads the same in JSON and logfmt, and needs no table to be understood
      formatters: { level: (label) => ({ level: label }) },
      ...(onLine === undefined
        ? {}
        : {
            hooks: {
              logMethod(args, method, num) {
                onLine(LOG_COUNT_LEVEL[pino.levels.labels[num]] ?? String(num));
                return method.apply(this, args);
              },
            },
          }),
    },
    format === 'logfmt' ? logfmtStream(stream) : stream,
  );
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
