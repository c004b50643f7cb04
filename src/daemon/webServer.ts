import type { DaemonConfig } from '../config/daemonConfig.js';
import { DEFAULT_HTTP_LIMITS } from '../config/httpLimits.js';
import type { Logger } from '../log.js';
import { formatListenAddress } from '../config/listenAddress.js';
import { startHttpServer, type HttpServerHandle, type Route } from '../outputs/http/httpServer.js';
import type { SelfMetrics } from '../outputs/metrics/selfMetrics.js';
import { loadWebConfig } from '../outputs/http/webConfig.js';
import { WebConfigWatcher } from '../outputs/http/webConfigWatcher.js';
import { httpObserver } from './httpCounters.js';

/** The daemon's HTTP(S) server. */
export interface WebServer {
  /** The port of the first address (as bound: `:0` picks one). */
  readonly port: number;
  /** `https` when --web.config.file turned TLS on (it stays on until a restart), else `http`. */
  readonly scheme: 'http' | 'https';
  /** Re-reads `--web.config.file` (for SIGHUP); a bad file is logged and the old settings stay. No-op without the flag. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a server on each listen address (`--web.listen-address`, or `--metrics-host`/
 * `--metrics-port`), all with the same routes. With `--web.config.file`, TLS and basic auth
 * apply and the file is re-read when it changes; a bad file at start-up throws a
 * WebConfigError (the CLI exits 2 naming the flag). One address that cannot be bound
 * closes the others and throws.
 */
export async function startWebServer(
  config: DaemonConfig,
  routes: readonly Route[],
  log: Logger,
  metrics: SelfMetrics,
): Promise<WebServer> {
  const file = config.webConfigFile;
  const webConfig = file === undefined ? undefined : loadWebConfig(file);
  const onError = (e: unknown): void => {
    metrics.errors.inc({ kind: 'http' });
    log.error({ err: e }, 'http handler failed');
  };
  // each address is a server of its own, with the limits each (docs/api.md, Requests and limits)
  const limits = config.httpLimits ?? DEFAULT_HTTP_LIMITS;
  const observer = httpObserver(metrics, log);
  const servers: HttpServerHandle[] = [];
  try {
    for (const a of config.listenAddresses)
      servers.push(await startHttpServer(a.host, a.port, routes, onError, { webConfig, limits, observer }));
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
  metrics.httpConnectionsSource = () => {
    const n = { general: 0, reserve: 0 };
    for (const s of servers) {
      const c = s.connections();
      n.general += c.general;
      n.reserve += c.reserve;
    }
    return n;
  };
  let users = webConfig?.users.size ?? 0;
  const watcher =
    file === undefined || webConfig === undefined
      ? null
      : new WebConfigWatcher(
          file,
          webConfig,
          (c) => {
            for (const s of servers) s.applyWebConfig(c);
          },
          {
            applied: (c) => {
              // a reload that drops every user opens the server to anyone: not a routine line
              if (users > 0 && c.users.size === 0)
                log.warn({ file, tls: c.tls !== null, users: 0 }, 'web config loaded without basic_auth_users: basic auth is now off');
              else log.info({ file, tls: c.tls !== null, users: c.users.size }, 'web config loaded');
              users = c.users.size;
            },
            failed: (e) => {
              metrics.errors.inc({ kind: 'web_config' });
              log.error({ file, err: e.message }, 'cannot apply the web config; keeping the previous one');
            },
          },
        );
  const scheme = webConfig?.tls ? 'https' : 'http';
  const urls = servers.map((s) => `${scheme}://${formatListenAddress({ host: s.address, port: s.port })}${config.telemetryPath}`);
  log.info({ urls, basic_auth: (webConfig?.users.size ?? 0) > 0 }, `serving metrics on ${urls.join(', ')}`);
  return {
    port: servers[0]?.port ?? 0,
    scheme,
    reload: async () => {
      await watcher?.reload();
    },
    close: async () => {
      watcher?.close();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
