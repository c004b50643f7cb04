import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * When process (or thread) `pid` started, in clock ticks since boot: field 22 of
 * /proc/PID/stat. `gone` when /proc answers that there is no such process; `unknown` when
 * /proc cannot tell (not mounted, or not Linux).
 */
export function processStartTicks(pid: number | 'self'): string | 'gone' | 'unknown' {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return (code === 'ENOENT' || code === 'ESRCH') && pid !== 'self' && processStartTicks('self') !== 'unknown' ? 'gone' : 'unknown';
  }
  // the command name (field 2) is in parentheses and may hold spaces and ')': count from the last one
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields[22 - 3];
  return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : 'unknown';
}

let own: string | undefined;

/**
 * What tells this process apart from any earlier one with the same PID (containers give
 * every start the same few PIDs): its start time in ticks, or without /proc a random
 * `r…` token. Temp names carry it, so a temp with our PID but not our token is a dead
 * writer's.
 */
export function ownStartToken(): string {
  if (own === undefined) {
    const ticks = processStartTicks('self');
    own = ticks === 'unknown' || ticks === 'gone' ? `r${randomBytes(4).toString('hex')}` : ticks;
  }
  return own;
}
