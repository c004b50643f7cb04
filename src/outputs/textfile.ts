import type { Registry } from 'prom-client';
import { writeFileAtomic } from './atomicWrite.js';
import { dropBlankLines } from './promText.js';

/**
 * node_exporter textfile-collector convention: write to a temporary name, rename over
 * FILE. A character device or FIFO (`--textfile /dev/stdout`) is written in place instead,
 * never replaced.
 */
export async function writeTextfile(file: string, registry: Registry): Promise<void> {
  await writeFileAtomic(file, dropBlankLines(await registry.metrics()), { inPlace: true, followSymlinks: true });
}
