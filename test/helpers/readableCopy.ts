import { chmod, copyFile, cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO } from './cli.js';

/** Where we are root: runs a program as nobody, so that a permission error is real. */
export const AS_NOBODY: readonly string[] = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];

/**
 * segcov's program files as published (bin/, dist/bundle/, package.json) copied into
 * `root`/segcov, with `root` made searchable by everyone; returns the copy's bin/segcov.js.
 * For a test that runs the program itself as nobody: the checkout may sit under a mode-700
 * folder (/root/…, a `mktemp -d`), which nobody cannot read. Without node_modules, so what
 * runs must not need the packages loaded lazily (yaml for --config, luxon for times, pg).
 */
export async function readableCopy(root: string): Promise<string> {
  const dir = path.join(root, 'segcov');
  await mkdir(dir, { recursive: true });
  await cp(path.join(REPO, 'bin'), path.join(dir, 'bin'), { recursive: true });
  await cp(path.join(REPO, 'dist', 'bundle'), path.join(dir, 'dist', 'bundle'), { recursive: true });
  await copyFile(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  await chmod(root, 0o755); // a temporary folder is made mode 700
  return path.join(dir, 'bin', 'segcov.js');
}
