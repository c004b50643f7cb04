import type { Registry } from 'prom-client';
import { writeFileAtomic } from './atomicWrite.js';
import { dropBlankLines } from './metricsCache.js';

/** node_exporter textfile-collector convention: write to a temporary name, rename over FILE. */
export async function writeTextfile(file: string, registry: Registry): Promise<void> {
  await writeFileAtomic(file, dropBlankLines(await registry.metrics()));
}
