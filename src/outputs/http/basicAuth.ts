import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/** bcryptjs is loaded on the first password check, by require: a CommonJS build, and no dynamic import (the bundle runs from a code cache). */
const requireHere = createRequire(import.meta.url);

/** Compared against when the user is unknown, so an unknown user takes as long as a wrong password. */
const DUMMY_HASH = '$2b$10$H9mFBzsstU.fJHWrrUp0B.ZTkOTmVky6.SHpNoEsCxAAB66nVP8eS';
const CACHE_MAX = 1024;

/** The user and password of an `Authorization: Basic` header, or null. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  const m = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? '');
  if (m === null) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? null : { user: text.slice(0, i), password: text.slice(i + 1) };
}

/**
 * Checks basic-auth credentials against bcrypt hashes, as exporter-toolkit does: a
 * successful check is remembered (by a SHA-256 of user, password and hash), so a
 * scraper does not pay a bcrypt round every scrape; a changed hash misses the cache.
 */
export class BasicAuth {
  private readonly good = new Set<string>();

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  async verify(header: string | undefined): Promise<boolean> {
    const creds = parseBasicAuth(header);
    if (creds === null) return false;
    const hash = this.users.get(creds.user);
    const key = createHash('sha256').update(`${creds.user}\0${creds.password}\0${hash ?? ''}`).digest('hex');
    if (hash !== undefined && this.good.has(key)) return true;
    // loaded on the first login, not at start-up: most daemons have no users configured
    const { compare } = requireHere('bcryptjs') as typeof import('bcryptjs');
    const ok = await compare(creds.password, hash ?? DUMMY_HASH);
    if (!ok || hash === undefined) return false;
    if (this.good.size >= CACHE_MAX) this.good.clear();
    this.good.add(key);
    return true;
  }
}
