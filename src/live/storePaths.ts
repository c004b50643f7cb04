import path from 'node:path';
import { parseHourName } from '../store/hourName.js';

/** Where a path under BASE sits in the store layout (docs/coverage.md, The store). */
export type StorePlace =
  | { readonly level: 'channel'; readonly channel: string }
  | { readonly level: 'quality'; readonly channel: string; readonly quality: string }
  | { readonly level: 'hour'; readonly channel: string; readonly quality: string; readonly hour: string; readonly start: number }
  | { readonly level: 'segment'; readonly channel: string; readonly quality: string; readonly hour: string; readonly name: string };

/**
 * Places `p` in the layout, or null when it is outside what segcov watches: another
 * channel or quality, a folder that is not an hour, the base itself, or deeper.
 */
export function placeOf(base: string, p: string, channels: ReadonlySet<string>, qualities: ReadonlySet<string>): StorePlace | null {
  const rel = path.relative(base, p);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel.split(path.sep);
  const [channel, quality, hour, name] = parts;
  if (!channels.has(channel)) return null;
  if (parts.length === 1) return { level: 'channel', channel };
  if (!qualities.has(quality)) return null;
  if (parts.length === 2) return { level: 'quality', channel, quality };
  if (hour.startsWith('.')) return null;
  const start = parseHourName(hour);
  if (start === null) return null;
  if (parts.length === 3) return { level: 'hour', channel, quality, hour, start };
  if (parts.length === 4) return { level: 'segment', channel, quality, hour, name };
  return null;
}

/** True for a file name whose appearance or removal can change an hour's coverage. */
export function mattersToCoverage(name: string): boolean {
  return !name.startsWith('.') && (name.endsWith('.ts') || name.endsWith('.tombstone'));
}
