import path from 'node:path';
import { mapGeometryError } from '../coverage/mapPixels.js';
import type { DaemonConfig } from '../config/daemonConfig.js';
import { DEFAULT_HTTP_LIMITS as HTTP, type HttpLimits } from '../config/httpLimits.js';
import { DEFAULT_OUTPUT_DIR } from '../store/layout.js';
import { describeConnectionString } from '../config/connectionString.js';
import { parseBool } from './settingsSources.js';
import { parseHourFlag } from './hourFlag.js';
import { UsageError } from '../config/usageError.js';
import { chooseListen, chooseLogLevel, logFormat, presentIn, telemetryPath, type GivenAt } from './exporterFlags.js';

export type { DaemonConfig };

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/** A number flag; a value that is not one is named as given (`"abc" is not a port number`). */
function num(flag: string, v: unknown, check: (n: number) => boolean, want: string): number {
  const text = typeof v === 'string' ? v.trim() : v;
  const n = typeof text === 'number' ? text : text === '' || typeof text !== 'string' ? NaN : Number(text);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag}: ${typeof v === 'string' ? `"${v}"` : String(v)} is not ${want}`);
  return n;
}

/** A boolean flag, from a flag, SEGCOV_* variable or config value in any usual spelling. */
function bool(flag: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  const b = parseBool(v);
  if (b === undefined) throw new UsageError(`--${flag}: ${JSON.stringify(v)} is not a boolean (true/false, yes/no, 1/0)`);
  return b;
}

/** A comma list (or YAML list) of names. */
export function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v.map(String) : String(v ?? '').split(',');
  return items
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function hour(flag: string, v: unknown): number | undefined {
  const text = str(v);
  if (text === undefined || text === '') return undefined;
  try {
    return parseHourFlag(text);
  } catch (e) {
    throw new UsageError(`--${flag}: ${(e as Error).message}`);
  }
}

/** A channel or quality name must be one path component. */
export function checkName(flag: string, name: string): void {
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new UsageError(`${flag}: "${name}" is not a folder name`);
  }
}

/** `peers:` as a mapping of node name to URL, or a list of `name=url` (how main.ts passes it). */
function peers(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  let entries: [string, unknown][];
  if (Array.isArray(v)) {
    entries = v.map((item) => {
      const text = String(item);
      const i = text.indexOf('=');
      if (i <= 0) throw new UsageError(`peers: ${JSON.stringify(text)} is not name=url`);
      return [text.slice(0, i), text.slice(i + 1)];
    });
  } else if (typeof v === 'object') {
    entries = Object.entries(v as Record<string, unknown>);
  } else {
    throw new UsageError('peers: must be a mapping of node name to base URL');
  }
  const out: Record<string, string> = {};
  for (const [name, url] of entries) {
    try {
      const u = new URL(String(url));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
      out[name] = u.toString().replace(/\/$/, '');
    } catch {
      throw new UsageError(`peers: ${name}: ${JSON.stringify(url)} is not an http(s) URL`);
    }
  }
  return out;
}

/** The `--http-*` flags; the reserve and the streams must leave room for the rest. */
function httpLimits(argv: Record<string, unknown>): HttpLimits {
  const count = (flag: string, min: number, dflt: number): number =>
    num(flag, argv[flag] ?? dflt, (n) => Number.isInteger(n) && n >= min && n <= 1_000_000, `a whole number from ${min} to 1000000`);
  const maxConnections = count('http-max-connections', 2, HTTP.maxConnections);
  const scrapeReserve = count('http-scrape-reserve', 0, HTTP.scrapeReserve);
  if (scrapeReserve >= maxConnections)
    throw new UsageError(`--http-scrape-reserve: ${scrapeReserve} leaves none of --http-max-connections ${maxConnections} for the rest`);
  const maxEventStreams = count('http-max-event-streams', 0, HTTP.maxEventStreams);
  if (maxEventStreams > maxConnections - scrapeReserve) {
    throw new UsageError(
      `--http-max-event-streams: ${maxEventStreams} is more than the ${maxConnections - scrapeReserve} connections outside the scrape reserve`,
    );
  }
  const stall = num(
    'http-event-stall-seconds',
    argv['http-event-stall-seconds'] ?? HTTP.eventStallMs / 1000,
    (n) => n > 0 && n <= 3600,
    'a number of seconds from 0 to 3600 (not 0)',
  );
  return {
    maxConnections,
    scrapeReserve,
    perClient: count('http-max-per-client', 1, HTTP.perClient),
    maxEventStreams,
    eventStallMs: Math.round(stall * 1000),
  };
}

/**
 * Validates parsed arguments into a DaemonConfig, or throws a UsageError naming the flag.
 * `given` tells where a setting spelled twice was given (default: all at one level).
 */
export function resolveDaemonConfig(argv: Record<string, unknown>, given: GivenAt = presentIn(argv)): DaemonConfig {
  const channels = list(argv.channels ?? argv.channel);
  if (channels.length === 0) throw new UsageError('CHANNEL: give at least one channel (positional argument or `channels` in the config)');
  for (const c of channels) checkName('CHANNEL', c);
  const qualities = list(argv.qualities);
  if (qualities.length === 0) throw new UsageError('--qualities: give at least one quality');
  for (const q of qualities) checkName('--qualities', q);
  const baseDir = str(argv['base-dir']) ?? '.';
  if (baseDir === '') throw new UsageError('--base-dir: must not be empty');
  const firstHour = hour('first-hour', argv['first-hour']);
  const lastHour = hour('last-hour', argv['last-hour']);
  if (firstHour !== undefined && lastHour !== undefined && lastHour < firstHour) {
    throw new UsageError('--last-hour: is before --first-hour');
  }
  const pixelLength = num('pixel-length', argv['pixel-length'], (n) => n > 0, 'a positive whole number of seconds');
  const rows = num('rows', argv.rows, (n) => n > 0, 'a positive whole number');
  const geometry = mapGeometryError(pixelLength, rows);
  if (geometry !== null) throw new UsageError(`--${geometry.startsWith('rows') ? 'rows' : 'pixel-length'}: ${geometry}`);
  const warnings: string[] = [];
  const backdoor = num(
    'backdoor-port',
    argv['backdoor-port'] ?? 0,
    (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
    'a port number (0-65535)',
  );
  if (backdoor !== 0)
    warnings.push(`--backdoor-port ${backdoor} ignored: segcov has no debugging shell (the replaced checker's gevent backdoor)`);
  const connectionString = str(argv['connection-string']);
  if (connectionString !== undefined && connectionString !== '') {
    try {
      describeConnectionString(connectionString);
    } catch (e) {
      throw new UsageError(`--connection-string: ${(e as Error).message}`);
    }
  }
  const level = chooseLogLevel(argv, given, warnings);
  const logLevel = level.value;
  if (!LOG_LEVELS.has(logLevel)) throw new UsageError(`--${level.flag}: "${logLevel}" is not one of ${[...LOG_LEVELS].join(', ')}`);
  const listenAddresses = chooseListen(argv, given, warnings, () =>
    num('metrics-port', argv['metrics-port'] ?? 8006, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0-65535)'),
  );
  return {
    channels,
    baseDir: path.resolve(baseDir),
    qualities,
    firstHour,
    lastHour,
    // relative to the base dir, as in the replaced checker (an absolute path stays as it is)
    outputDir: path.resolve(baseDir, str(argv['output-dir']) ?? DEFAULT_OUTPUT_DIR),
    metricsPort: listenAddresses[0]?.port ?? 0,
    metricsHost: listenAddresses[0]?.host ?? '',
    listenAddresses,
    telemetryPath: telemetryPath(argv['web.telemetry-path']),
    checkInterval: num('check-interval', argv['check-interval'], (n) => n > 0, 'a positive number of seconds'),
    runOnce: bool('run-once', argv['run-once'], false),
    textfile: str(argv.textfile) === undefined ? undefined : path.resolve(String(argv.textfile)),
    pixelLength,
    rows,
    watch: bool('watch', argv.watch, true),
    concurrency: num('concurrency', argv.concurrency, (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'a whole number from 1 to 256'),
    logLevel,
    logFormat: logFormat(argv['log.format']),
    makePage: bool('make-page', argv['make-page'], false),
    peers: peers(argv.peers),
    nodeName: str(argv['node-name']) || undefined,
    historyKeepDays: num('history-keep-days', argv['history-keep-days'] ?? 30, (n) => n > 0, 'a positive number of days'),
    peerPollMs: num(
      'peer-poll-ms',
      argv['peer-poll-ms'] ?? 2000,
      (n) => Number.isInteger(n) && n >= 100,
      'a whole number of ms, at least 100',
    ),
    connectionString: connectionString === '' ? undefined : connectionString,
    user: str(argv.user) === '' ? undefined : str(argv.user),
    portFile: str(argv['port-file']) === undefined || str(argv['port-file']) === '' ? undefined : path.resolve(String(argv['port-file'])),
    warnings,
    webConfigFile: str(argv['web.config.file']) === undefined ? undefined : path.resolve(String(argv['web.config.file'])),
    longHole: num('long-hole', argv['long-hole'] ?? 60, (n) => n > 0, 'a positive number of seconds'),
    maxAge:
      str(argv['max-age']) === undefined || str(argv['max-age']) === ''
        ? undefined
        : num('max-age', argv['max-age'], (n) => n > 0, 'a positive number of seconds'),
    httpLimits: httpLimits(argv),
  };
}
