import type { Options } from 'yargs';
import { UsageError } from '../config/usageError.js';

/**
 * How SEGCOV_* variables and `--config` keys reach the command that runs: each command
 * takes its own and leaves the others' alone, so one environment or config file can
 * serve the daemon and `segcov check` alike. Pure functions; main.ts applies them.
 */

export type OptionTable = Readonly<Record<string, Options>>;

/** The environment prefix of every setting. */
export const ENV_PREFIX = 'SEGCOV_';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** `1/0/true/false/yes/no/on/off` in any case (and real booleans) → boolean; else undefined. */
export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined;
}

/**
 * The command a command line runs: its first word that is not a flag when that word is
 * a command name, else the daemon (`$0`). A channel cannot be named like a command.
 */
export function commandOf(argv: readonly string[], names: readonly string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first !== undefined && names.includes(first) ? first : '$0';
}

/** `run-once` → `SEGCOV_RUN_ONCE`; `web.listen-address` → `SEGCOV_WEB_LISTEN_ADDRESS` (what people set). */
export function envName(key: string): string {
  return ENV_PREFIX + key.toUpperCase().replace(/[-.]/g, '_');
}

/**
 * The name yargs reads a key from: the same but for a dotted flag, whose dots yargs wants
 * as `__` (`SEGCOV_WEB__LISTEN_ADDRESS` sets `web.listen-address`). Only selectEnv writes it.
 */
export function parserEnvName(key: string): string {
  return (
    ENV_PREFIX +
    key
      .split('.')
      .map((part) => part.toUpperCase().replace(/-/g, '_'))
      .join('__')
  );
}

/**
 * The keys by environment name. Two keys spelled alike (`log-level`, `log.level`) share one
 * variable, which goes to the undotted one: the flag it always set.
 */
function keysByEnvName(keys: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const sorted = [...keys].sort((a, b) => Number(a.includes('.')) - Number(b.includes('.')));
  for (const key of sorted) if (!out.has(envName(key))) out.set(envName(key), key);
  return out;
}

export interface EnvSelection {
  /** The SEGCOV_* variables to give the parser, booleans spelled `true`/`false`. */
  readonly env: Record<string, string>;
  /** One line per variable that no command knows (ignored). */
  readonly warnings: string[];
}

/**
 * Picks the SEGCOV_* variables of the running command. `SEGCOV_NO_X=1` means
 * `SEGCOV_X=false` for a boolean X. A variable of another command is left out silently;
 * one no command knows is left out with a warning (never fatal). A boolean that is not
 * one of the accepted spellings is a usage error naming the variable.
 */
export function selectEnv(env: NodeJS.ProcessEnv, own: OptionTable, others: ReadonlySet<string>): EnvSelection {
  const out: Record<string, string> = {};
  const warnings: string[] = [];
  const ownKeys = keysByEnvName(Object.keys(own));
  const otherKeys = keysByEnvName(others);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    // SEGCOV_NO_WATCH → SEGCOV_WATCH, for a boolean
    const positiveName = name.startsWith(`${ENV_PREFIX}NO_`) ? ENV_PREFIX + name.slice(ENV_PREFIX.length + 3) : name;
    const positive = ownKeys.get(positiveName);
    const negate = !ownKeys.has(name) && positive !== undefined && own[positive]?.type === 'boolean';
    const key = negate ? positive : ownKeys.get(name);
    const opt = key === undefined ? undefined : own[key];
    if (key === undefined || opt === undefined) {
      if (!otherKeys.has(name) && !otherKeys.has(positiveName)) warnings.push(`${name} is not a segcov setting; ignored`);
      continue;
    }
    if (opt.type === 'boolean') {
      const b = parseBool(value);
      if (b === undefined) throw new UsageError(`${name}: "${value}" is not a boolean (1/0, true/false, yes/no)`);
      out[parserEnvName(key)] = String(negate ? !b : b);
    } else {
      out[parserEnvName(key)] = value;
    }
  }
  return { env: out, warnings };
}

/**
 * The keys of config file `file` that the running command takes: another command's keys
 * are dropped (one file serves them all), booleans are read in every usual spelling, and
 * a key no command knows is a usage error naming the file and the key. `extra` are
 * config-only keys of this command (e.g. `channels`, `peers`).
 */
export function selectConfig(
  doc: Record<string, unknown>,
  own: OptionTable,
  extra: ReadonlySet<string>,
  others: ReadonlySet<string>,
  file: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    const opt = own[key];
    if (opt === undefined && !extra.has(key)) {
      if (!others.has(key)) throw new UsageError(`--config ${file}: unknown key "${key}" (keys are the flag names; see --help)`);
      continue;
    }
    if (opt?.type === 'boolean' && typeof value !== 'boolean' && value !== null && value !== undefined) {
      const b = parseBool(value);
      if (b === undefined)
        throw new UsageError(`--config ${file}: ${key}: ${JSON.stringify(value)} is not a boolean (true/false, yes/no, 1/0)`);
      out[key] = b;
    } else {
      out[key] = value;
    }
  }
  return out;
}
