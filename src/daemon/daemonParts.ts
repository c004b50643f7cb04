import type { DaemonConfig } from '../config/daemonConfig.js';
import type { NodeList } from '../nodes/nodeList.js';
import type { Logger } from '../log.js';
import type { CoverageGauges } from '../outputs/metrics/coverageGauges.js';
import type { FleetGauges } from '../outputs/metrics/fleetGauges.js';
import type { HistoryMetrics } from '../outputs/metrics/historyMetrics.js';
import type { HoleHistory } from '../history/holeHistory.js';
import type { SelfMetrics } from '../outputs/metrics/selfMetrics.js';
import type { WindowGauges } from '../outputs/metrics/windowGauges.js';
import type { WebContext } from '../web/context.js';
import type { CoverageState } from '../live/coverageState.js';
import type { QualityChecker } from './qualityChecker.js';
import type { Reloader } from './reload.js';
import type { StopSignal } from './stopSignal.js';
import type { WindowMissWarnings } from './windowMissWarning.js';

/**
 * Everything a running daemon holds; built by createDaemon, used by the live mode and
 * tests. In its own file so the daemon and the live mode need not import each other.
 */
export interface DaemonParts {
  readonly config: DaemonConfig;
  readonly log: Logger;
  readonly state: CoverageState;
  readonly gauges: CoverageGauges;
  readonly metrics: SelfMetrics;
  /** segcov_window_* (computed from the state when scraped or written; --textfile holds them after the §4 gauges). */
  readonly windowGauges: WindowGauges;
  readonly checkers: readonly QualityChecker[];
  readonly stop: StopSignal;
  /** SIGHUP: re-reads the config; `reloader.onReload(fn)` adds a hook (web config, node list). */
  readonly reloader: Reloader;
  /** The nodes the `--make-page` pages show: the database's (`--connection-string`) and `peers:`. */
  readonly nodes: NodeList;
  /** What the web outputs read (state, config, the fleet source with the peers' answers). */
  readonly web: WebContext;
  /** segcov_fleet_hole_seconds, segcov_local_only_hole_seconds, segcov_peer_up. */
  readonly fleetGauges: FleetGauges;
  /** Logs once per pair whose window holds none of the recording (looked at after each pass). */
  readonly windowWarnings: WindowMissWarnings;
  /** The hole history (incidents kept in --output-dir; inert in --run-once) and its metrics. */
  readonly history: HoleHistory;
  readonly historyMetrics: HistoryMetrics;
}
