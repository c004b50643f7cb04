import { parseListenAddress, type ListenAddress } from '../config/listenAddress.js';
import { envName, parserEnvName } from './settingsSources.js';
import { UsageError } from '../config/usageError.js';

/**
 * The exporter ecosystem's flags (node_exporter, exporter-toolkit) beside the inherited
 * ones they duplicate: `--web.listen-address` for `--metrics-host`/`--metrics-port`,
 * `--log.level` for `--log-level`. Each pair is one setting in two spellings: the spelling
 * given at the higher level (flags > SEGCOV_* > --config) applies, the other is named in a
 * warning; both at one level is a usage error naming both, as neither can be said to win.
 */

/** Where a setting was given, in the order of precedence. */
export type Level = 'flag' | 'env' | 'config';

/** Where each key was given; undefined when only its default applies. */
export type GivenAt = (key: string) => Level | undefined;

const RANK: Readonly<Record<Level, number>> = { config: 1, env: 2, flag: 3 };

/** The flags typed on a command line, as keys (`--metricsPort=1` → `metrics-port`). */
function typedFlags(args: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const a of args) {
    if (a === '--') break;
    if (a.startsWith('--'))
      out.add(
        a
          .slice(2)
          .split('=')[0]
          .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      );
  }
  return out;
}

/**
 * Where each key came from: typed in `args`, set in `env` (the SEGCOV_* variables main.ts
 * handed to the parser), else from the --config file when `argv` (the parse) holds it.
 * Right for keys without a parser default only.
 */
export function givenAt(args: readonly string[], env: NodeJS.ProcessEnv, argv: Record<string, unknown>): GivenAt {
  const typed = typedFlags(args);
  return (key) =>
    typed.has(key) ? 'flag' : env[parserEnvName(key)] !== undefined ? 'env' : argv[key] !== undefined ? 'config' : undefined;
}

/** Without sources (a config object built in code): everything present counts as one level. */
export function presentIn(argv: Record<string, unknown>): GivenAt {
  return (key) => (argv[key] === undefined || argv[key] === null ? undefined : 'flag');
}

function nameAt(key: string, level: Level): string {
  return level === 'flag' ? `--${key}` : level === 'env' ? envName(key) : `${key} (--config)`;
}

/**
 * Which spelling of a setting applies: `old` (one or more keys) or `neu`. `agree` tells
 * whether both say the same, which is no conflict.
 */
function chooseSpelling(old: readonly string[], neu: string, given: GivenAt, warnings: string[], agree: () => boolean): 'old' | 'new' {
  const rankOf = (k: string): number => {
    const l = given(k);
    return l === undefined ? 0 : RANK[l];
  };
  const newRank = rankOf(neu);
  const oldRank = Math.max(0, ...old.map(rankOf));
  if (newRank === 0) return 'old';
  if (oldRank === 0) return 'new';
  const oldGiven = old.filter((k) => rankOf(k) > 0);
  if (newRank === oldRank) {
    if (agree()) return 'new';
    const level = given(neu) as Level;
    const names = [...oldGiven.filter((k) => rankOf(k) === oldRank), neu].map((k) => (level === 'config' ? k : nameAt(k, level)));
    throw new UsageError(
      `${level === 'config' ? '--config: ' : ''}${names.join(' and ')} are two spellings of one setting; give one, not both`,
    );
  }
  const [winners, losers] = newRank > oldRank ? [[neu], oldGiven] : [oldGiven.filter((k) => rankOf(k) === oldRank), [neu]];
  if (!agree())
    warnings.push(
      `${losers.map((k) => nameAt(k, given(k) as Level)).join(', ')} ignored: ${winners.map((k) => nameAt(k, given(k) as Level)).join(', ')} takes precedence`,
    );
  return newRank > oldRank ? 'new' : 'old';
}

/** `--web.listen-address` values: repeated flags, a YAML list, or a comma list. */
function listenAddresses(v: unknown): ListenAddress[] {
  const items = (Array.isArray(v) ? v.map(String) : [String(v)]).flatMap((s) => s.split(',')).map((s) => s.trim());
  if (items.every((s) => s === '')) throw new UsageError('--web.listen-address: give host:port, [IPv6]:port or :port');
  return items
    .filter((s) => s !== '')
    .map((s) => {
      const a = parseListenAddress(s);
      if (a === null) throw new UsageError(`--web.listen-address: "${s}" is not host:port, [IPv6]:port or :port (port 0-65535)`);
      return a;
    });
}

/**
 * The addresses to listen on: `--web.listen-address` (port 0 there: a port the system
 * picks, as in node_exporter), else `--metrics-host`:`--metrics-port` (port 0: no server).
 * `metricsPort` is --metrics-port already read.
 */
export function chooseListen(
  argv: Record<string, unknown>,
  given: GivenAt,
  warnings: string[],
  metricsPort: () => number,
): ListenAddress[] {
  if (chooseSpelling(['metrics-port', 'metrics-host'], 'web.listen-address', given, warnings, () => false) === 'new') {
    return listenAddresses(argv['web.listen-address']);
  }
  const port = metricsPort();
  const host = argv['metrics-host'] === undefined ? '0.0.0.0' : String(argv['metrics-host']);
  return port === 0 ? [] : [{ host, port }];
}

/** `--log.level` or `--log-level` (the same values); both at one level must agree. */
export function chooseLogLevel(argv: Record<string, unknown>, given: GivenAt, warnings: string[]): { flag: string; value: string } {
  const value = (k: string): string => String(argv[k] ?? 'info');
  const which = chooseSpelling(['log-level'], 'log.level', given, warnings, () => value('log-level') === value('log.level'));
  return which === 'new' ? { flag: 'log.level', value: value('log.level') } : { flag: 'log-level', value: value('log-level') };
}

/** segcov's own paths, which the metrics may not take over. */
const OWN_PATHS = ['/', '/healthz', '/readyz'];
const OWN_PREFIXES = ['/api/', '/maps/', '/docs/'];

/** `--web.telemetry-path`: a plain URL path that is none of segcov's own. */
export function telemetryPath(v: unknown): string {
  const p = v === undefined || v === null ? '/metrics' : String(v);
  let normal: string | null = null;
  try {
    normal = new URL(p, 'http://localhost').pathname;
  } catch {
    /* not a path */
  }
  if (!p.startsWith('/') || normal !== p || p.length > 200)
    throw new UsageError(`--web.telemetry-path: "${p}" is not a URL path such as /metrics`);
  if (OWN_PATHS.includes(p) || OWN_PREFIXES.some((x) => p.startsWith(x)))
    throw new UsageError(`--web.telemetry-path: "${p}" is one of segcov's own paths (${[...OWN_PATHS, ...OWN_PREFIXES].join(' ')})`);
  // a route ending in / matches every path under it (httpServer's findRoute)
  if (p.endsWith('/')) throw new UsageError(`--web.telemetry-path: "${p}" must not end in /`);
  return p;
}

/** `--log.format`: `json` (the default) or `logfmt`. */
export function logFormat(v: unknown): 'json' | 'logfmt' {
  const f = v === undefined || v === null ? 'json' : String(v);
  if (f !== 'json' && f !== 'logfmt') throw new UsageError(`--log.format: "${f}" is not json or logfmt`);
  return f;
}
