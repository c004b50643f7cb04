import path from 'node:path';
import type { DaemonConfig } from '../config/daemonConfig.js';
import type { Logger } from '../log.js';
import { outputDirLinkProblem } from '../outputs/outputFolder.js';
import { outputDirProblem, textfileProblem } from '../outputs/outputTargets.js';
import { removeStaleTemps } from '../outputs/staleTemps.js';

/**
 * Start-up checks of where the daemon writes: a problem is returned as the one line to
 * print (naming the flag) before exiting 2; an output folder reached through a symlink is
 * one. Then removes the temporary files a killed
 * earlier run left in the output folder and beside the textfile.
 */
export async function prepareOutputs(config: DaemonConfig, log: Logger): Promise<string | null> {
  const dirProblem = await outputDirLinkProblem(config.outputDir, config.baseDir) ?? await outputDirProblem(config.outputDir);
  if (dirProblem !== null) return `--output-dir: ${dirProblem}`;
  if (config.textfile !== undefined) {
    const fileProblem = await textfileProblem(config.textfile);
    if (fileProblem !== null) return `--textfile: ${fileProblem}`;
  }
  const removed = await removeStaleTemps(config.outputDir);
  if (config.textfile !== undefined) {
    removed.push(...await removeStaleTemps(path.dirname(config.textfile), path.basename(config.textfile)));
  }
  if (removed.length > 0) log.info({ removed }, `removed ${removed.length} temporary files left by a killed write`);
  return null;
}
