/**
 * A SIGHUP that arrives while the daemon is still starting. Node's default would end the
 * process, so bin/segcov.js holds SIGHUP from its first line and
 * hands over a release function: the daemon calls releaseEarlyHangup() once its own
 * handler is in place (or, with --run-once, releaseEarlyHangupAsDefault()) and learns
 * whether one arrived meanwhile.
 */
let release: () => boolean = () => false;

/** Called by the entry point with the function that stops holding SIGHUP. */
export function holdEarlyHangup(stopHolding: () => boolean): void {
  release = stopHolding;
}

/** Stops holding SIGHUP (later ones get the command's own handling or Node's default); true when one arrived meanwhile. */
export function releaseEarlyHangup(): boolean {
  const r = release;
  release = () => false;
  return r();
}

/**
 * For --run-once: SIGHUP means a hangup, so one that arrived during start-up ends the
 * process as Node's default would (so do subcommands, once the CLI knows the command). One turn of the event loop first, so a SIGHUP the
 * process already caught reaches the holder before it lets go.
 */
export async function releaseEarlyHangupAsDefault(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (releaseEarlyHangup()) process.kill(process.pid, 'SIGHUP');
}
