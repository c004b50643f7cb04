import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Where tests build stores: a RAM file system when there is one (creating thousands of
 * files on this machine's disk costs about a millisecond each), else the OS temp folder.
 */
export function testTmpRoot(): string {
  if (process.env.SEGCOV_TEST_TMP) return process.env.SEGCOV_TEST_TMP;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

export function makeTmpDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(testTmpRoot(), `segcov-${prefix}-`));
}
