import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { loadWebConfig, type WebConfig } from './webConfig.js';

export interface WebConfigEvents {
  /** A new config was read and applied. */
  applied(config: WebConfig): void;
  /** A re-read failed (bad file, or `apply` refused it); the previous settings stay. */
  failed(error: Error): void;
}

/**
 * Re-reads `--web.config.file` when it, or a certificate, key or CA file it names,
 * changes (polled with fs.watchFile, which also sees editors' rename-over saves), and on
 * demand (`reload()`, for SIGHUP). A bad file never takes the server down: it is
 * reported and the previous settings are kept.
 */
export class WebConfigWatcher {
  private watched: readonly string[] = [];
  private readonly onChange = (cur: Stats, prev: Stats): void => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) void this.reload();
  };

  constructor(
    private readonly file: string,
    initial: WebConfig,
    private readonly apply: (config: WebConfig) => void,
    private readonly events: WebConfigEvents,
    private readonly pollMs = 1000,
  ) {
    this.watch(initial.files);
  }

  private watch(files: readonly string[]): void {
    for (const f of this.watched) unwatchFile(f, this.onChange);
    this.watched = [...new Set(files)];
    for (const f of this.watched) watchFile(f, { interval: this.pollMs, persistent: false }, this.onChange);
  }

  /** Reads the file again and applies it. Resolves true when the new settings are in force. */
  async reload(): Promise<boolean> {
    try {
      const config = loadWebConfig(this.file);
      this.apply(config);
      this.watch(config.files);
      this.events.applied(config);
      return true;
    } catch (e) {
      this.events.failed(e instanceof Error ? e : new Error(String(e)));
      return false;
    }
  }

  close(): void {
    this.watch([]);
  }
}
