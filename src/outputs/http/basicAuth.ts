import { createHash } from 'node:crypto';
import { AuthThrottle } from './authThrottle.js';
import { PasswordChecks } from './passwordChecks.js';

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
 * What a check of credentials found: right, wrong, none given (or not Basic), or not
 * checked because the client must first wait `retryAfter` seconds.
 */
export type AuthVerdict = 'right' | 'wrong' | 'missing' | { readonly retryAfter: number };

/**
 * Checks basic-auth credentials against bcrypt hashes, as exporter-toolkit does: a
 * successful check is remembered (by a SHA-256 of user, password and hash), so a
 * scraper does not pay a bcrypt round every scrape; a changed hash misses the cache.
 * The bcrypt rounds run on a worker thread (PasswordChecks), as many as AuthThrottle lets.
 */
export class BasicAuth {
  private readonly good = new Set<string>();

  constructor(
    private readonly users: ReadonlyMap<string, string>,
    private readonly checks: PasswordChecks = new PasswordChecks(),
    private readonly throttle: AuthThrottle = new AuthThrottle(),
  ) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** Checks an Authorization header sent from `client` (its address, as clientKey names it). */
  async verify(header: string | undefined, client = ''): Promise<AuthVerdict> {
    const creds = parseBasicAuth(header);
    if (creds === null) return 'missing';
    const hash = this.users.get(creds.user);
    const key = createHash('sha256')
      .update(`${creds.user}\0${creds.password}\0${hash ?? ''}`)
      .digest('hex');
    if (hash !== undefined && this.good.has(key)) return 'right';
    const wait = this.throttle.start(client);
    if (wait > 0) return { retryAfter: wait };
    let outcome: 'right' | 'wrong' | 'unchecked' = 'unchecked';
    try {
      outcome = (await this.checks.compare(creds.password, hash ?? DUMMY_HASH)) && hash !== undefined ? 'right' : 'wrong';
    } finally {
      this.throttle.done(client, outcome);
    }
    if (outcome !== 'right') return 'wrong';
    if (this.good.size >= CACHE_MAX) this.good.clear();
    this.good.add(key);
    return 'right';
  }
}
