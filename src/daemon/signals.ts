import type { Logger } from '../log.js';
import type { Reloader } from './reload.js';

/**
 * SIGHUP reloads the config (never exits, unlike Node's default); SIGUSR1 is logged and
 * otherwise ignored — Node would open its inspector on 127.0.0.1:9229 (bin/segcov.js
 * already holds a handler from the first line on). Returns a function removing both.
 */
export function handleHupAndUsr1(log: Logger, reloader: Reloader): () => void {
  const hup = (): void => {
    log.info({ signal: 'SIGHUP' }, 'SIGHUP: reloading the configuration');
    void reloader.reload();
  };
  const usr1 = (): void => log.info({ signal: 'SIGUSR1' }, 'SIGUSR1 ignored: segcov does not open a debugger on it');
  process.on('SIGHUP', hup);
  process.on('SIGUSR1', usr1);
  return () => {
    process.off('SIGHUP', hup);
    process.off('SIGUSR1', usr1);
  };
}
