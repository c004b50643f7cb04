import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTmpDir } from './tmp.js';

/** One conformance case (see test/fixtures/conformance/README.md). */
export interface ConformanceCase {
  readonly name: string;
  readonly description: string;
  readonly channel: string;
  readonly qualities: string[];
  readonly options: { first_hour?: string; last_hour?: string; pixel?: number; rows?: number };
  readonly tree: Record<string, [string, number][]>;
  readonly expected: {
    readonly metrics: Record<string, number>;
    readonly maps: Record<string, { width: number; height: number; pixels: string } | null>;
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The project's copy of the cases (dist/test/helpers → test/fixtures). */
export const CASES_DIR = path.resolve(here, '../../../test/fixtures/conformance');

export function loadCases(dir = CASES_DIR): ConformanceCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ConformanceCase);
}

/** Writes a case's tree under a fresh temporary BASE; returns BASE. */
export async function buildCaseStore(c: ConformanceCase, base?: string): Promise<string> {
  const root = base ?? (await makeTmpDir(`case-${c.name}`));
  for (const [rel, files] of Object.entries(c.tree)) {
    const dir = path.join(root, c.channel, rel);
    mkdirSync(dir, { recursive: true });
    for (const [name, size] of files) {
      const fd = openSync(path.join(dir, name), 'w');
      if (size > 0) ftruncateSync(fd, size);
      closeSync(fd);
    }
  }
  return root;
}

/** Run-length codes a class array in time order: B blue, O orange, W white. */
export function runLength(pixels: ArrayLike<number>): string {
  const letters = ['B', 'O', 'W'];
  const out: string[] = [];
  let i = 0;
  while (i < pixels.length) {
    let j = i;
    while (j < pixels.length && pixels[j] === pixels[i]) j++;
    out.push(`${letters[pixels[i]]}${j - i}`);
    i = j;
  }
  return out.join(' ');
}

/** A series key as the cases write it: labels in name order. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',');
  return `${name}{${body}}`;
}
