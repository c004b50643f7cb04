import { writeFileAtomic } from '../files/atomicWrite.js';
import type { CoverageGauges } from './coverageGauges.js';
import { dropBlankLines } from './promText.js';
import type { WindowGauges } from './windowGauges.js';

/** What --textfile holds: the per-hour coverage gauges, then the segcov_window_* gauges. */
async function textfileText(gauges: CoverageGauges, windowGauges: WindowGauges): Promise<string> {
  return gauges.text() + dropBlankLines(await windowGauges.registry.metrics());
}

/**
 * node_exporter textfile-collector convention: write to a temporary name, rename over
 * FILE. A character device or FIFO (`--textfile /dev/stdout`) is written in place instead,
 * never replaced.
 */
export async function writeTextfile(file: string, gauges: CoverageGauges, windowGauges: WindowGauges): Promise<void> {
  await writeFileAtomic(file, await textfileText(gauges, windowGauges), { inPlace: true, followSymlinks: true });
}
