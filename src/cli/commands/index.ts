import type { CommandModule } from 'yargs';
import { checkCommand } from './check.js';
import { chunkCommand } from './chunk.js';
import { fillCommand } from './fill.js';
import { verifyCommand } from './verify.js';

/**
 * The subcommands besides the daemon (`segcov [CHANNEL...]`). Each lives in its own
 * module in this folder and is listed here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs' own module type
export const commands: CommandModule<any, any>[] = [chunkCommand, fillCommand, verifyCommand, checkCommand];
