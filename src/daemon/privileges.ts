import { readFile } from 'node:fs/promises';
import { openOutputDir } from '../outputs/files/outputFolder.js';
import type { Logger } from '../log.js';

/** A user to run as: numeric ids. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * `--user`: `UID[:GID]` or a user name from /etc/passwd (`NAME[:GROUP-ID]`). Returns null
 * for `root`/`0` (stay as is). Throws a one-line Error for a name that does not exist.
 */
export async function resolveRunAs(spec: string, passwd = '/etc/passwd'): Promise<RunAs | null> {
  const [user, group] = spec.split(':');
  let uid: number;
  let gid: number | undefined = group !== undefined && /^\d+$/.test(group) ? Number(group) : undefined;
  if (/^\d+$/.test(user)) {
    uid = Number(user);
  } else {
    const line = (await readFile(passwd, 'utf8').catch(() => '')).split('\n').find((l) => l.split(':')[0] === user);
    if (line === undefined) throw new Error(`user "${user}" does not exist in ${passwd}`);
    const f = line.split(':');
    uid = Number(f[2]);
    gid ??= Number(f[3]);
  }
  if (uid === 0) return null;
  return { uid, gid: gid ?? uid };
}

/**
 * Started as root with `--user`: creates the output folder, hands it to the user, and
 * becomes that user for good (groups, gid, uid). Called after the HTTP port is bound, so a
 * port below 1024 (Kubernetes' `--metrics-port 80`) needs no capability, and the store
 * itself (root-owned at /mnt in wubloader's deployments) is only ever read afterwards.
 * The folder is opened without following links below `--base-dir` and chowned through that
 * handle: a link planted in the store cannot hand another folder to the user.
 * Not root: nothing to do (the user given is logged and ignored).
 */
export async function dropPrivileges(spec: string | undefined, outputDir: string, baseDir: string, log: Logger): Promise<void> {
  if (spec === undefined || spec === '') return;
  if (process.getuid?.() !== 0) {
    log.debug({ user: spec }, 'not started as root: --user ignored');
    return;
  }
  const to = await resolveRunAs(spec);
  if (to === null) return;
  const dir = await openOutputDir(outputDir, baseDir, true);
  try {
    await dir.chown(to.uid, to.gid);
  } finally {
    await dir.close();
  }
  process.setgroups?.([to.gid]);
  process.setgid?.(to.gid);
  process.setuid?.(to.uid);
  log.info({ uid: to.uid, gid: to.gid, outputDir }, 'dropped root: running as the --user given');
}
