import { createRequire } from 'node:module';
import { readSmallFileSync, SmallFileError } from '../config/readSmallFile.js';
import { selectConfig, type OptionTable } from './settingsSources.js';
import { UsageError } from '../config/usageError.js';

/**
 * Reads a YAML config file for `--config`; any problem is a usage error naming the flag.
 * With `pipes` (start-up), a FIFO or process substitution is read too; a reload reads only a
 * regular file: the pipe was read once, and opening it again would block the daemon for good.
 */
export function loadConfig(file: string, pipes = true): Record<string, unknown> {
  let text: string;
  try {
    text = readSmallFileSync(file, { pipes }).toString('utf8');
  } catch (e) {
    if (!(e instanceof SmallFileError)) throw e;
    const once = e.problem === 'not_regular' && e.what === 'FIFO' ? '; a pipe is read once, at start-up' : '';
    throw new UsageError(`--config: ${e.message}${once}`);
  }
  let doc: unknown;
  try {
    // loaded only when a config file is given: it is a tenth of a second of start-up
    const YAML = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = YAML.parse(text);
  } catch (e) {
    throw new UsageError(`--config: ${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`--config: ${file} must hold a mapping of flag names to values`);
  return doc as Record<string, unknown>;
}

/**
 * `peers:` as a list of `name=url`: yargs would otherwise add a camelCase copy of every
 * hyphenated node name (`node-b` and `nodeB`); a list is passed through as it is.
 */
function peersAsList(doc: Record<string, unknown>): Record<string, unknown> {
  const p = doc.peers;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return doc;
  return { ...doc, peers: Object.entries(p as Record<string, unknown>).map(([name, url]) => `${name}=${String(url)}`) };
}

/** Options every command takes. */
const GLOBAL_KEYS = ['config', 'help', 'version'];

/**
 * The `--config` parser of one command: the keys it takes (booleans in any spelling),
 * another command's keys dropped, an unknown key refused, `peers:` kept exactly as written.
 * `pipes`: see loadConfig.
 */
export function configParserFor(
  own: OptionTable,
  extra: ReadonlySet<string>,
  others: ReadonlySet<string>,
  pipes = true,
): (file: string) => Record<string, unknown> {
  // yargs may ask more than once in one parse: the file is read once, so a FIFO or a
  // process substitution (`--config <(envsubst < t.yaml)`) gives the same settings to both
  const read = new Map<string, Record<string, unknown>>();
  return (file) => {
    let doc = read.get(file);
    if (doc === undefined) {
      doc = peersAsList(selectConfig(loadConfig(file, pipes), own, new Set([...extra, ...GLOBAL_KEYS]), others, file));
      read.set(file, doc);
    }
    return doc;
  };
}
