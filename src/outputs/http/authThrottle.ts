/** Wrong passwords a client address may give in a row before it must wait. */
const FREE_FAILURES = 5;
/** The first wait after those, doubled at each further failure up to MAX_WAIT_MS. */
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 60_000;
/** A client's failures are forgotten after this long without a new one. */
const FORGET_MS = 15 * 60_000;
/** Clients remembered at most (the least recently failing are forgotten first). */
const MAX_CLIENTS = 10_000;
/** Checks of one client address under way at once (a browser or a scraper sends one at a time). */
const MAX_CLIENT_CHECKS = 4;
/** Checks under way at once, all clients (each is some 0.1 s of the worker's time). */
const MAX_CHECKS = 32;

interface Failures {
  count: number;
  last: number;
  until: number;
}

/**
 * Which password checks (bcrypt, costly by design) may run: a client address that gave
 * FREE_FAILURES wrong passwords waits, 1 s then twice as long after each further one, up
 * to a minute; a right one clears its record. Checks under way are bounded per client and
 * in all, so that a flood queues no more work than the worker does in a few seconds.
 * Credentials already verified (BasicAuth's cache) need no check and never wait.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, Failures>();
  private readonly running = new Map<string, number>();
  private total = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** 0 when `client` may have a check now (then `done` must follow), else the seconds it should wait. */
  start(client: string): number {
    const t = this.now();
    const f = this.failures.get(client);
    if (f !== undefined && t - f.last > FORGET_MS) this.failures.delete(client);
    else if (f !== undefined && f.until > t) return Math.ceil((f.until - t) / 1000);
    const mine = this.running.get(client) ?? 0;
    if (mine >= MAX_CLIENT_CHECKS || this.total >= MAX_CHECKS) return 1;
    this.running.set(client, mine + 1);
    this.total += 1;
    return 0;
  }

  /** A check that `start` let through is over: the password was right, wrong, or not checked (the worker failed). */
  done(client: string, outcome: 'right' | 'wrong' | 'unchecked'): void {
    const mine = (this.running.get(client) ?? 1) - 1;
    if (mine === 0) this.running.delete(client);
    else this.running.set(client, mine);
    this.total -= 1;
    if (outcome === 'right') this.failures.delete(client);
    if (outcome !== 'wrong') return;
    const t = this.now();
    const old = this.failures.get(client);
    const count = old === undefined || t - old.last > FORGET_MS ? 1 : old.count + 1;
    const until = count < FREE_FAILURES ? 0 : t + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (count - FREE_FAILURES));
    this.failures.delete(client); // re-added last: the map stays in order of the last failure
    this.failures.set(client, { count, last: t, until });
    if (this.failures.size > MAX_CLIENTS) this.failures.delete(this.failures.keys().next().value as string);
  }
}
