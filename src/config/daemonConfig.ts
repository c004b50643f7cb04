import { DEFAULT_LONG_HOLE_US, type SeverityRules } from '../coverage/severity.js';
import { SECOND_US } from '../coverage/types.js';
import type { HttpLimits } from './httpLimits.js';
import type { ListenAddress } from './listenAddress.js';

export type { ListenAddress };

/**
 * The daemon's validated settings (flags > SEGCOV_* env > --config file > defaults), as
 * the CLI resolves them and the daemon, web and import rooms read them. Declared here,
 * below them all, so nothing imports upward from `cli/`.
 */
export interface DaemonConfig {
  readonly channels: readonly string[];
  readonly baseDir: string;
  readonly qualities: readonly string[];
  /** Start of the first hour the map shows (µs); every hour on disk is still read. */
  readonly firstHour?: number;
  /** Start of the last hour the map shows (µs, inclusive). */
  readonly lastHour?: number;
  readonly outputDir: string;
  /** The first of `listenAddresses` (0: none), for the places that name one address. */
  readonly metricsPort: number;
  readonly metricsHost: string;
  /** `--web.listen-address` (or `--metrics-host`/`--metrics-port`): a server on each; empty: no server. */
  readonly listenAddresses: readonly ListenAddress[];
  /** `--web.telemetry-path`: where the metrics are served (default `/metrics`). */
  readonly telemetryPath: string;
  readonly checkInterval: number;
  readonly runOnce: boolean;
  readonly textfile?: string;
  readonly pixelLength: number;
  readonly rows: number;
  readonly watch: boolean;
  readonly concurrency: number;
  readonly logLevel: string;
  /** `--log.format`: JSON lines (the default) or logfmt. */
  readonly logFormat: 'json' | 'logfmt';
  readonly makePage: boolean;
  /** Other segcov nodes whose maps the pages show: node name → base URL. */
  readonly peers: Readonly<Record<string, string>>;
  /** `--connection-string`: the wubloader database whose `nodes` table lists more nodes. */
  readonly connectionString?: string;
  /** Started as root: become this user (name or uid[:gid]) once the port is bound. */
  readonly user?: string;
  /** Where to write the URL of /healthz once listening (the image's HEALTHCHECK reads it). */
  readonly portFile?: string;
  /** One-line notices for the log at start-up (e.g. an accepted but ignored flag). */
  readonly warnings?: readonly string[];
  /** `--web.config.file`: TLS and basic auth for the HTTP server (exporter-toolkit format). */
  readonly webConfigFile?: string;
  /** `--http-*`: connections and event streams the HTTP server holds (default DEFAULT_HTTP_LIMITS). */
  readonly httpLimits?: HttpLimits;
  /** This node's name in the fleet view (default: the host name). */
  readonly nodeName?: string;
  /** ms between rounds of asking the peers for their spans (default 2000). */
  readonly peerPollMs?: number;
  /** `--history-keep-days`: closed hole incidents are kept this long at a compaction (default 30). */
  readonly historyKeepDays?: number;
  /** `--long-hole`, seconds: a hole this long makes a pair bad (default 60). */
  readonly longHole?: number;
  /** `--max-age`, seconds: a newest segment older than this makes a pair bad (default: never). */
  readonly maxAge?: number;
}

/** The severity rules (src/coverage/severity.ts) the daemon's settings give. */
export function severityRules(c: Pick<DaemonConfig, 'longHole' | 'maxAge'>): SeverityRules {
  return {
    longHoleUs: c.longHole === undefined ? DEFAULT_LONG_HOLE_US : Math.round(c.longHole * SECOND_US),
    maxAgeUs: c.maxAge === undefined ? undefined : Math.round(c.maxAge * SECOND_US),
  };
}
