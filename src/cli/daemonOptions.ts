import path from 'node:path';
import { mapGeometryError } from '../coverage/mapPixels.js';
import { defaultOutputDir } from '../store/layout.js';
import { parseHourFlag } from './hourFlag.js';
import { UsageError } from './usageError.js';

/** Parsed, validated daemon settings (flags > SEGCOV_* env > --config file > defaults). */
export interface DaemonConfig {
  readonly channels: readonly string[];
  readonly baseDir: string;
  readonly qualities: readonly string[];
  readonly firstHour?: number;
  readonly lastHour?: number;
  readonly outputDir: string;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly checkInterval: number;
  readonly runOnce: boolean;
  readonly textfile?: string;
  readonly pixelLength: number;
  readonly rows: number;
  readonly watch: boolean;
  readonly concurrency: number;
  readonly logLevel: string;
  readonly makePage: boolean;
  readonly peers: Readonly<Record<string, string>>;
  /** `--web.config.file`: TLS and basic auth for the HTTP server (exporter-toolkit format). */
  readonly webConfigFile?: string;
}

/** The flags of SPEC §7 plus segcov's own, as yargs options. */
export const DAEMON_OPTIONS = {
  'base-dir': { type: 'string', default: '.', describe: 'Segment store: BASE/CHANNEL/QUALITY/HOUR/SEGMENT' },
  qualities: { type: 'string', default: 'source', describe: 'Comma-separated qualities to check' },
  'first-hour': { type: 'string', describe: 'First hour to read and show (any ISO-8601 time, truncated to the UTC hour)' },
  'last-hour': { type: 'string', describe: 'Last hour to read and show (inclusive)' },
  'output-dir': { type: 'string', describe: 'Where maps (and the static page) go [default: BASE/coverage-maps]' },
  'metrics-port': { type: 'number', default: 8006, describe: 'HTTP port for /metrics and the status page; 0: no server' },
  'metrics-host': { type: 'string', default: '0.0.0.0', describe: 'Address the HTTP server binds' },
  'check-interval': { type: 'number', default: 300, describe: 'Seconds between full passes (±10% jitter)' },
  'run-once': { type: 'boolean', default: false, describe: 'One pass over everything, write outputs, exit 0' },
  textfile: { type: 'string', describe: 'After every pass, write the coverage gauges here (Prometheus text format)' },
  'pixel-length': { type: 'number', default: 2, describe: 'Seconds a map pixel (must divide 3600)' },
  rows: { type: 'number', default: 300, describe: 'Map pixels a column (must divide 3600 / pixel length)' },
  watch: { type: 'boolean', default: true, describe: 'Watch the store and update live (--no-watch: passes only)' },
  concurrency: { type: 'number', default: 4, describe: 'Hour folders read at once in a pass' },
  'log-level': { type: 'string', default: 'info', describe: 'fatal, error, warn, info, debug or trace' },
  'make-page': { type: 'boolean', default: false, describe: 'Also write the status page as static HTML next to the maps' },
  'web.config.file': { type: 'string', describe: 'TLS and basic auth for the HTTP server: a YAML file in the format of Prometheus exporter-toolkit (node_exporter)' },
} as const;

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

function num(flag: string, v: unknown, check: (n: number) => boolean, want: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag}: ${JSON.stringify(v)} is not ${want}`);
  return n;
}

/** A comma list (or YAML list) of names. */
export function list(v: unknown): string[] {
  const items = Array.isArray(v) ? v.map(String) : String(v ?? '').split(',');
  return items.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
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

function peers(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new UsageError('peers: must be a mapping of node name to base URL');
  const out: Record<string, string> = {};
  for (const [name, url] of Object.entries(v as Record<string, unknown>)) {
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

/** Validates parsed arguments into a DaemonConfig, or throws a UsageError naming the flag. */
export function resolveDaemonConfig(argv: Record<string, unknown>): DaemonConfig {
  const channels = list(argv.channels ?? argv.channel);
  if (channels.length === 0) throw new UsageError('CHANNEL: give at least one channel (positional argument or `channels` in the config)');
  channels.forEach((c) => checkName('CHANNEL', c));
  const qualities = list(argv.qualities);
  if (qualities.length === 0) throw new UsageError('--qualities: give at least one quality');
  qualities.forEach((q) => checkName('--qualities', q));
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
  const logLevel = String(argv['log-level'] ?? 'info');
  if (!LOG_LEVELS.has(logLevel)) throw new UsageError(`--log-level: "${logLevel}" is not one of ${[...LOG_LEVELS].join(', ')}`);
  return {
    channels,
    baseDir: path.resolve(baseDir),
    qualities,
    firstHour,
    lastHour,
    outputDir: path.resolve(str(argv['output-dir']) ?? defaultOutputDir(baseDir)),
    metricsPort: num('metrics-port', argv['metrics-port'], (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port number (0-65535)'),
    metricsHost: str(argv['metrics-host']) ?? '0.0.0.0',
    checkInterval: num('check-interval', argv['check-interval'], (n) => n > 0, 'a positive number of seconds'),
    runOnce: argv['run-once'] === true,
    textfile: str(argv.textfile) === undefined ? undefined : path.resolve(String(argv.textfile)),
    pixelLength,
    rows,
    watch: argv.watch !== false,
    concurrency: num('concurrency', argv.concurrency, (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'a whole number from 1 to 256'),
    logLevel,
    makePage: argv['make-page'] === true,
    peers: peers(argv.peers),
    webConfigFile: str(argv['web.config.file']) === undefined ? undefined : path.resolve(String(argv['web.config.file'])),
  };
}
