import path from 'node:path';
import type { DaemonConfig } from '../config/daemonConfig.js';
import type { Logger } from '../log.js';
import { outputDirLinkProblem } from '../outputs/files/outputFolder.js';
import { outputDirProblem, textfileProblem } from '../outputs/files/outputTargets.js';
import { removeStaleTemps } from '../outputs/files/staleTemps.js';
import { errorMessage } from '../errorMessage.js';

/** An error met while looking at an output's place (EACCES on a parent folder, say), as one line. */
function cannotCheck(target: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const what = err.code === 'EACCES' ? 'permission denied' : (err.code ?? errorMessage(e));
  return `cannot use ${target}: ${what}${err.path !== undefined && err.path !== target ? ` (at ${err.path})` : ''}`;
}

/**
 * Start-up checks of where the daemon writes: a problem is returned as the one line to
 * print (naming the flag) before exiting 2; an output folder reached through a symlink is
 * one. Then removes the temporary files a killed
 * earlier run left in the output folder and beside the textfile.
 */
export async function prepareOutputs(config: DaemonConfig, log: Logger): Promise<string | null> {
  const dirProblem =
    (await outputDirLinkProblem(config.outputDir, config.baseDir)) ??
    (await outputDirProblem(config.outputDir).catch((e: unknown) => cannotCheck(config.outputDir, e)));
  if (dirProblem !== null) return `--output-dir: ${dirProblem}`;
  if (config.textfile !== undefined) {
    const file = config.textfile;
    const fileProblem = await textfileProblem(file).catch((e: unknown) => cannotCheck(file, e));
    if (fileProblem !== null) return `--textfile: ${fileProblem}`;
  }
  const removed = await removeStaleTemps(config.outputDir);
  if (config.textfile !== undefined) {
    removed.push(...(await removeStaleTemps(path.dirname(config.textfile), path.basename(config.textfile))));
  }
  if (removed.length > 0) log.info({ removed }, `removed ${removed.length} temporary files left by a killed write`);
  return null;
}
