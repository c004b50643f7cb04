import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * segcov's own package folder (package.json, docs/): the nearest folder above this module
 * whose package.json is segcov's. Found by walking up rather than by a fixed `../..`, so
 * the same code works compiled by tsc (dist/src/...) and bundled (dist/bundle/, one level).
 * null when this copy has no package.json (a bare copy of the compiled files).
 */
export function packageRoot(from: string = import.meta.url): string | null {
  for (let dir = path.dirname(fileURLToPath(from)); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'segcov') return dir;
    } catch {
      // no (readable) package.json here: keep going up
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** A file of segcov's package (e.g. `docs/coverage.md`), or null without a package folder. */
export function packageFile(rel: string): string | null {
  const root = packageRoot();
  return root === null ? null : path.join(root, rel);
}

/** segcov's version from its package.json ("unknown" when it cannot be read). */
export function segcovVersion(): string {
  const file = packageFile('package.json');
  if (file === null) return 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
