import { Gauge, type Registry } from 'prom-client';
import type { DaemonConfig } from '../config/daemonConfig.js';
import type { Logger } from '../log.js';
import { textfileProblem } from '../outputs/files/outputTargets.js';
import { errorMessage } from '../errorMessage.js';

/** A part of the daemon that wants to know about SIGHUP (web config, node list, …). */
export type ReloadHook = () => void | Promise<void>;

/** Re-reads flags, SEGCOV_* and `--config` into a config (given by the command line). */
export type ConfigLoader = () => Promise<Partial<DaemonConfig>>;

/** Told when a reload begins and when it is over (systemd's RELOADING=1 / READY=1). */
export interface ReloadWatcher {
  reloading(): void;
  reloaded(): void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Settings a reload applies to the running daemon; every other change waits for a restart. */
export const RELOADABLE = ['logLevel', 'peers', 'checkInterval', 'concurrency', 'makePage', 'textfile'] as const;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * SIGHUP, as Prometheus does it: re-read the config, apply what can change live, log
 * what was applied and what needs a restart, then call every registered hook. A failed
 * reload keeps the running config and is logged and shown in
 * segcov_config_last_reload_successful; the daemon never exits on it.
 */
export class Reloader {
  private readonly hooks: ReloadHook[] = [];
  private running: Promise<void> | null = null;
  private again = false;
  private readonly successful: Gauge;
  private readonly successTime: Gauge;
  /** Told of each reload (one that runs again for a signal meanwhile counts once). */
  watcher: ReloadWatcher | null = null;

  constructor(
    private readonly config: DaemonConfig,
    private readonly log: Logger,
    registry: Registry,
    private readonly load: ConfigLoader | undefined,
    private readonly file: string | undefined,
  ) {
    this.successful = new Gauge({
      name: 'segcov_config_last_reload_successful',
      help: 'Whether the last configuration reload attempt was successful',
      registers: [registry],
    });
    this.successTime = new Gauge({
      name: 'segcov_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last successful configuration reload',
      registers: [registry],
    });
    this.successful.set(1);
    this.successTime.set(Date.now() / 1000);
  }

  /** Registers a hook called on every reload (after the config is applied). */
  onReload(hook: ReloadHook): void {
    this.hooks.push(hook);
  }

  /** Reloads now; a reload asked for while one runs runs once more after it. */
  reload(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.watcher?.reloading();
    this.running = (async () => {
      do {
        this.again = false;
        const ok = await this.reloadOnce();
        this.successful.set(ok ? 1 : 0);
        if (ok) this.successTime.set(Date.now() / 1000);
      } while (this.again);
      this.running = null;
      this.watcher?.reloaded();
    })();
    return this.running;
  }

  private async reloadOnce(): Promise<boolean> {
    const t0 = performance.now();
    this.log.info({ filename: this.file ?? null }, 'Loading configuration file');
    let ok = true;
    try {
      if (this.load !== undefined) await this.apply(await this.load());
    } catch (e) {
      ok = false;
      this.log.error({ filename: this.file ?? null, err: errorMessage(e) }, 'Error reloading config; keeping the running one');
    }
    for (const hook of this.hooks) {
      try {
        await hook();
      } catch (e) {
        ok = false;
        this.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'reload hook failed');
      }
    }
    if (ok)
      this.log.info(
        { filename: this.file ?? null, totalDurationMs: Math.round(performance.now() - t0) },
        'Completed loading of configuration file',
      );
    return ok;
  }

  private async apply(next: Partial<DaemonConfig>): Promise<void> {
    const cur = this.config as Mutable<DaemonConfig>;
    const changed = (Object.keys(next) as (keyof DaemonConfig)[]).filter((k) => next[k] !== undefined && !same(cur[k], next[k]));
    // textfile was optional: its removal shows as a key missing from a full config
    if ('channels' in next && next.textfile === undefined && cur.textfile !== undefined) changed.push('textfile');
    const live = changed.filter((k) => (RELOADABLE as readonly string[]).includes(k));
    const restart = changed.filter((k) => !(RELOADABLE as readonly string[]).includes(k));
    if (live.includes('textfile') && next.textfile !== undefined) {
      const problem = await textfileProblem(next.textfile);
      if (problem !== null) throw new Error(`--textfile: ${problem}`);
    }
    const applied: Record<string, unknown> = {};
    for (const k of live) {
      applied[k] = next[k] ?? null;
      Object.assign(cur, { [k]: next[k] });
    }
    if (live.includes('logLevel')) this.log.level = cur.logLevel;
    if (live.length > 0) this.log.info({ applied }, `applied ${live.join(', ')}`);
    if (restart.length > 0) this.log.warn({ changed: restart }, `changed, but applied only on restart: ${restart.join(', ')}`);
  }
}
