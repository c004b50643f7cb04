import { envName } from './settingsSources.js';

/**
 * Usage errors made to say where the mistake is: an unknown flag as it was typed, a bad
 * value from a config file with that file's name. Pure functions; main.ts applies them.
 */

const camel = (s: string): string => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The command-line word that gave yargs the key `name` (`--qualitie=x` for `qualitie`), or null. */
function typedAs(name: string, argv: readonly string[]): string | null {
  for (const word of argv) {
    if (word === '--') break;
    const flag = /^(--?)(?:no-)?([^=]+)/.exec(word);
    if (flag === null) {
      if (word === name) return word; // a positional the command does not take
      continue;
    }
    const key = flag[2];
    if (key === name || camel(key) === camel(name)) return word.split('=')[0];
  }
  return null;
}

/**
 * yargs names an unknown flag by its key, without dashes, and twice (as typed and in
 * camelCase): `Unknown argument: qualitie`. Names each once as it was typed on the
 * command line (`--qualitie`, `-z`) and points to the command's --help.
 */
export function unknownArgumentsMessage(msg: string, argv: readonly string[], helpCommand: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (m === null) return msg;
  const names = m[1].split(', ');
  const typed = new Set(names.filter((n) => n.includes('-')).map(camel));
  const kept = names.filter((n) => n.includes('-') || !typed.has(n));
  const shown = [...new Set(kept.map((n) => typedAs(n, argv) ?? (n.length === 1 ? `-${n}` : `--${n}`)))];
  return `${shown.length === 1 ? 'Unknown argument' : 'Unknown arguments'}: ${shown.join(', ')} (see ${helpCommand} --help)`;
}

/** Whether `--key` (or `--no-key`, `--key=…`) is on the command line. */
function onCommandLine(key: string, argv: readonly string[]): boolean {
  return argv.some(
    (w) =>
      w === `--${key}` || w === `--no-${key}` || w.startsWith(`--${key}=`) || w === `--${camel(key)}` || w.startsWith(`--${camel(key)}=`),
  );
}

/**
 * A usage error about `--KEY: …` whose value came from a config file (not from the command
 * line, not from SEGCOV_KEY): names the file and the key instead, `--config FILE: KEY: …`.
 * `files` are the config files read, with their keys.
 */
export function configFileMessage(
  msg: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  files: ReadonlyMap<string, ReadonlySet<string>>,
): string {
  const m = /^--([\w.-]+): (.*)$/s.exec(msg);
  if (m === null) return msg;
  const key = m[1];
  if (key === 'config' || onCommandLine(key, argv) || env[envName(key)] !== undefined) return msg;
  for (const [file, keys] of files) if (keys.has(key)) return `--config ${file}: ${key}: ${m[2]}`;
  return msg;
}
