import type { DaemonConfig } from '../config/daemonConfig.js';
import { DEFAULT_HTTP_LIMITS } from '../config/httpLimits.js';
import type { Logger } from '../log.js';
import { startHttpServer, type Route } from '../outputs/httpServer.js';
import type { SelfMetrics } from '../outputs/selfMetrics.js';
import { loadWebConfig } from '../outputs/webConfig.js';
import { WebConfigWatcher } from '../outputs/webConfigWatcher.js';
import { httpObserver } from './httpCounters.js';

/** The daemon's HTTP(S) server. */
export interface WebServer {
  readonly port: number;
  /** `https` when --web.config.file turned TLS on (it stays on until a restart), else `http`. */
  readonly scheme: 'http' | 'https';
  /** Re-reads `--web.config.file` (for SIGHUP); a bad file is logged and the old settings stay. No-op without the flag. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the server on `--metrics-host`/`--metrics-port` with the routes. With
 * `--web.config.file`, TLS and basic auth apply and the file is re-read when it changes;
 * a bad file at start-up throws a WebConfigError (the CLI exits 2 naming the flag).
 */
export async function startWebServer(config: DaemonConfig, routes: readonly Route[], log: Logger, metrics: SelfMetrics): Promise<WebServer> {
  const file = config.webConfigFile;
  const webConfig = file === undefined ? undefined : loadWebConfig(file);
  const server = await startHttpServer(config.metricsHost, config.metricsPort, routes, (e) => {
    metrics.errors.inc({ kind: 'http' });
    log.error({ err: e }, 'http handler failed');
  }, { webConfig, limits: config.httpLimits ?? DEFAULT_HTTP_LIMITS, observer: httpObserver(metrics, log) });
  metrics.httpConnectionsSource = () => server.connections();
  const watcher = file === undefined || webConfig === undefined ? null : new WebConfigWatcher(file, webConfig, (c) => server.applyWebConfig(c), {
    applied: (c) => log.info({ file, tls: c.tls !== null, users: c.users.size }, 'web config loaded'),
    failed: (e) => {
      metrics.errors.inc({ kind: 'web_config' });
      log.error({ file, err: e.message }, 'cannot apply the web config; keeping the previous one');
    },
  });
  const scheme = webConfig?.tls ? 'https' : 'http';
  log.info({ url: `${scheme}://${config.metricsHost}:${server.port}/metrics`, basic_auth: (webConfig?.users.size ?? 0) > 0 }, 'serving metrics');
  return {
    port: server.port,
    scheme,
    reload: async () => { await watcher?.reload(); },
    close: async () => {
      watcher?.close();
      await server.close();
    },
  };
}
