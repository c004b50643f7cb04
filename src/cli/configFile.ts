import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UsageError } from './usageError.js';

/** Reads a YAML config file for `--config`; any problem is a usage error naming the flag. */
export function loadConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--config: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
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
