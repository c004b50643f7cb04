import { spawn } from 'node:child_process';
import type { Logger } from '../log.js';

/**
 * systemd's notify protocol (sd_notify(3)) for `Type=notify`: READY=1 once the first pass
 * is done, RELOADING=1 / READY=1 around a reload, STOPPING=1 at shutdown, and WATCHDOG=1
 * from the event loop, so that a loop that is stuck stops the pings and systemd restarts
 * segcov. Nothing of it runs without NOTIFY_SOCKET.
 *
 * Each message is sent by systemd-notify(1): Node has no unix datagram socket, and a native
 * module would need a build or prebuilt binaries in every install and image. The cost is a
 * process spawn per message (bench/notifyCost.ts); with the unit's WatchdogSec=60s, two a
 * minute. systemd-notify waits (BARRIER=1) until systemd has read the message, so the
 * message is not lost with the short-lived process; it sends as itself, so the unit needs
 * NotifyAccess=all. Messages go out one at a time, in order.
 */

/** What the service manager put in the environment (sd_watchdog_enabled's rules). */
export interface NotifySettings {
  /** NOTIFY_SOCKET: a path, or `@name` for an abstract socket (systemd-notify reads it). */
  readonly socket: string;
  /** Half of WATCHDOG_USEC in ms, when the watchdog is on and meant for this process. */
  readonly watchdogEveryMs: number | null;
}

/** Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID; null without NOTIFY_SOCKET. */
export function notifySettings(env: NodeJS.ProcessEnv, pid: number): NotifySettings | null {
  const socket = env.NOTIFY_SOCKET ?? '';
  if (socket === '') return null;
  const usec = /^\d+$/.test(env.WATCHDOG_USEC ?? '') ? Number(env.WATCHDOG_USEC) : 0;
  const forUs = (env.WATCHDOG_PID ?? '') === '' || Number(env.WATCHDOG_PID) === pid;
  return { socket, watchdogEveryMs: usec > 0 && forUs ? usec / 2000 : null };
}

/** While the first pass runs, start-up's timeout is pushed this far ahead this often (µs, ms). */
const EXTEND_START_USEC = 60_000_000;
const EXTEND_EVERY_MS = 20_000;

export class SystemdNotifier {
  private queue: Promise<void> = Promise.resolve();
  private pingQueued = false;
  private broken = false;
  private isReady = false;
  private readonly watchdog: NodeJS.Timeout | null;
  private readonly starting: NodeJS.Timeout;

  constructor(
    private readonly settings: NotifySettings,
    private readonly log: Logger,
    private readonly program = 'systemd-notify',
  ) {
    this.watchdog = settings.watchdogEveryMs === null ? null : setInterval(() => this.ping(), settings.watchdogEveryMs).unref();
    // a first pass over a big store on cold disks may outlast TimeoutStartSec (90 s by default)
    this.starting = setInterval(() => void this.send([`EXTEND_TIMEOUT_USEC=${EXTEND_START_USEC}`]), EXTEND_EVERY_MS).unref();
  }

  /** The first pass is done (/readyz answers 200). */
  ready(): void {
    if (this.isReady) return;
    this.isReady = true;
    clearInterval(this.starting);
    void this.send(['READY=1']);
  }

  /** A reload begins (told only once ready: start-up's READY=1 is the first pass's). */
  reloading(): void {
    if (!this.isReady) return;
    // CLOCK_MONOTONIC, which process.hrtime reads: systemd ≥ 253 wants it with RELOADING=1
    void this.send(['RELOADING=1', `MONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`]);
  }

  /** The reload is over. */
  reloaded(): void {
    if (this.isReady) void this.send(['READY=1']);
  }

  /** Shutting down: no more pings. */
  stopping(): void {
    clearInterval(this.starting);
    if (this.watchdog !== null) clearInterval(this.watchdog);
    void this.send(['STOPPING=1']);
  }

  /** Resolves once every message asked for so far has been sent, or after `timeoutMs`. */
  async flush(timeoutMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.queue,
      new Promise((r) => {
        timer = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** WATCHDOG=1 (the watchdog timer's message). */
  ping(): void {
    if (this.pingQueued) return; // one waiting is enough
    this.pingQueued = true;
    void this.send(['WATCHDOG=1']).finally(() => {
      this.pingQueued = false;
    });
  }

  private send(fields: readonly string[]): Promise<void> {
    this.queue = this.queue.then(() => this.run(fields));
    return this.queue;
  }

  private run(fields: readonly string[]): Promise<void> {
    if (this.broken) return Promise.resolve();
    return new Promise((resolve) => {
      let stderr = '';
      let done = false;
      const end = (problem: Record<string, unknown> | null): void => {
        if (done) return;
        done = true;
        if (problem !== null)
          this.log.warn({ ...problem, message: fields.join(' ') }, 'systemd-notify failed: systemd may not see this message');
        resolve();
      };
      const child = spawn(this.program, fields, {
        env: { ...process.env, NOTIFY_SOCKET: this.settings.socket },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.on('data', (b: Buffer) => {
        if (stderr.length < 1000) stderr += b.toString();
      });
      child.on('error', (e) => {
        this.broken = true; // not installed: said once, not at every ping
        end({ err: e.message, hint: 'without systemd-notify (package systemd) segcov cannot tell systemd it is ready or alive' });
      });
      child.on('close', (code) => end(code === 0 ? null : { code, err: stderr.trim() }));
    });
  }
}

/**
 * The notifier for this process, or null without NOTIFY_SOCKET. The variables are taken out
 * of the environment (as sd_notify's unset_environment does): with NotifyAccess=all any
 * process of the unit may speak for the service, so no other child is left the socket.
 */
export function systemdNotifier(log: Logger, env: NodeJS.ProcessEnv = process.env, pid = process.pid): SystemdNotifier | null {
  const settings = notifySettings(env, pid);
  for (const name of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) delete env[name];
  if (settings === null) return null;
  log.debug({ socket: settings.socket, watchdogEveryMs: settings.watchdogEveryMs }, 'telling systemd about readiness and liveness');
  return new SystemdNotifier(settings, log);
}
