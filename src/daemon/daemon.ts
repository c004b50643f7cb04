import { severityRules, type DaemonConfig } from '../config/daemonConfig.js';
import { createLogger, type Logger } from '../log.js';
import { streamCounters } from './httpCounters.js';
import type { DaemonParts } from './daemonParts.js';
import { CoverageGauges } from '../outputs/metrics/coverageGauges.js';
import { SelfMetrics } from '../outputs/metrics/selfMetrics.js';
import { FleetGauges } from '../outputs/metrics/fleetGauges.js';
import { createWebContext } from '../web/context.js';
import { fleetFigures, fleetInputs } from './fleetFigures.js';
import { WindowGauges } from '../outputs/metrics/windowGauges.js';
import { outputDirUrl } from '../web/staticPage.js';
import { NodeList, type NodeRef } from '../nodes/nodeList.js';
import { folderTarget, type PeerTarget } from '../web/peerFetcher.js';
import { pgNodeFetcher } from '../nodes/pgNodes.js';
import { CoverageState } from '../live/coverageState.js';
import { prepareOutputs } from './prepareOutputs.js';
import { problemLog } from './problemLog.js';
import { QualityChecker } from './qualityChecker.js';
import { Reloader, type ConfigLoader } from './reload.js';
import { handleHupAndUsr1 } from './signals.js';
import { releaseEarlyHangup, releaseEarlyHangupAsDefault } from '../earlyHangup.js';
import { StopSignal } from './stopSignal.js';
import { systemdNotifier } from './systemdNotify.js';
import { WindowMissWarnings } from './windowMissWarning.js';
import { dropPrivileges } from './privileges.js';
import { writeFileAtomic } from '../outputs/files/atomicWrite.js';
import { installLastResort } from './lastResort.js';
import type { WebServer } from './webServer.js';
import { unreadableText } from '../store/baseDir.js';
import { afterPublishWriter, reloadNodes, writeOutputs } from './outputWriting.js';
import { checkerLoop, firstPass, startLive } from './passes.js';
import { HistoryMetrics } from '../outputs/metrics/historyMetrics.js';
import { HoleHistory } from '../history/holeHistory.js';
import { HistoryFile } from '../history/historyFile.js';

export type { DaemonParts };

/** What runDaemon needs from the command line to reload on SIGHUP. */
export interface ReloadOptions {
  /** Re-reads flags, SEGCOV_* and the --config file. */
  readonly reloadConfig?: ConfigLoader;
  /** The --config file, for the log. */
  readonly configFile?: string;
}

/** The database's nodes as fleet peers (config peers are asked on their own API, and win). */
function databasePeers(list: readonly NodeRef[], peers: Readonly<Record<string, string>>): Record<string, PeerTarget> {
  const out: Record<string, PeerTarget> = {};
  for (const n of list) if (!(n.name in peers)) out[n.name] = folderTarget(n.mapBase);
  return out;
}

/** Builds the daemon's parts without starting anything. */
export function createDaemon(config: DaemonConfig, given?: Logger, reload: ReloadOptions = {}): DaemonParts {
  const metrics = new SelfMetrics();
  // every line counted in log_count_total{level}, as wubloader's services count theirs
  const log = given ?? createLogger(config.logLevel, process.stderr, (level) => metrics.logLines.inc({ level }), config.logFormat);
  const gauges = new CoverageGauges();
  const state = new CoverageState();
  const windowGauges = new WindowGauges(() => state.list(), undefined, severityRules(config));
  const report = problemLog(log, metrics);
  const stop = new StopSignal();
  const historyMetrics = new HistoryMetrics(() => history.oldestAges());
  // --run-once keeps no history: a hole's life needs a daemon that sees it open and close
  const history = new HoleHistory({
    file: config.runOnce ? null : HistoryFile.inDir(config.outputDir),
    log,
    metrics: historyMetrics,
    keepDays: config.historyKeepDays,
    onError: () => metrics.errors.inc({ kind: 'history_write' }),
  });
  state.onUpdate((s) => history.update(s));
  const web = createWebContext({
    state,
    config,
    nodeName: config.nodeName,
    history,
    streamEvents: streamCounters(metrics, log),
    // the database's nodes (as last read for the pages), read from the files beside their maps
    extraPeers: () => databasePeers(nodes.current(), config.peers),
  });
  const fleetGauges = new FleetGauges(
    () => fleetFigures(web),
    () => fleetInputs(web),
  );
  // after every update: the textfile and the static page (not in --run-once)
  const afterPublish = afterPublishWriter({ config, state, gauges, windowGauges, web, metrics, log });
  const nodes = new NodeList({
    fetch: config.connectionString === undefined ? undefined : pgNodeFetcher(config.connectionString),
    peers: () => config.peers, // a SIGHUP reload may change them
    outputDirUrl: outputDirUrl(config.baseDir, config.outputDir),
    log,
    onError: () => metrics.errors.inc({ kind: 'node_list' }),
  });
  const checkers: QualityChecker[] = [];
  for (const channel of config.channels) {
    for (const quality of config.qualities) {
      metrics.initQuality(channel, quality);
      historyMetrics.initQuality(channel, quality);
      checkers.push(new QualityChecker(channel, quality, { config, state, gauges, metrics, log, report, afterPublish }));
    }
  }
  const reloader = new Reloader(config, log, metrics.registry, reload.reloadConfig, reload.configFile);
  const windowWarnings = new WindowMissWarnings(state, log);
  const parts = {
    config,
    log,
    state,
    gauges,
    metrics,
    windowGauges,
    checkers,
    stop,
    reloader,
    nodes,
    web,
    fleetGauges,
    windowWarnings,
    history,
    historyMetrics,
  };
  // SIGHUP: the node list is read again and the coverage pages rewritten
  reloader.onReload(() => reloadNodes(parts));
  return parts;
}

/** The /healthz URL a local health check uses (`none` without a server). */
function healthUrl(host: string | undefined, port: number, scheme: 'http' | 'https'): string {
  if (port === 0) return 'none';
  const local =
    host === undefined || host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${local}:${port}/healthz`;
}

/** Runs the daemon until SIGTERM/SIGINT (or, with --run-once, one pass). Returns the exit code. */
export async function runDaemon(initial: DaemonConfig, reload: ReloadOptions = {}): Promise<number> {
  const config: DaemonConfig = { ...initial }; // a SIGHUP reload changes some settings in place
  const parts = createDaemon(config, undefined, reload);
  const { log, stop } = parts;
  installLastResort(log);
  for (const w of config.warnings ?? []) log.warn(w);
  // ms since the process started (performance.now() counts from there): start-up cost,
  // in wall time and in CPU time (the latter barely moves with the machine's load)
  const cpu = process.cpuUsage();
  log.debug(
    { startupMs: Math.round(performance.now()), startupCpuMs: Math.round((cpu.user + cpu.system) / 1000) },
    'starting the first pass',
  );
  const outputsProblem = await prepareOutputs(config, log);
  if (outputsProblem !== null) {
    process.stderr.write(`segcov: ${outputsProblem}\n`);
    return 2;
  }
  if (config.runOnce) {
    await releaseEarlyHangupAsDefault(); // one pass: SIGHUP is a hangup, as for any one-shot command
    await dropPrivileges(config.user, config.outputDir, config.baseDir, log);
    const base = await firstPass(parts);
    // a missing base is an empty store (exit 0); one that cannot be read is a fault to report
    if (base.kind === 'unreadable' || base.kind === 'not_a_folder') {
      log.error(
        { base: config.baseDir },
        `--run-once: the base dir ${base.kind === 'unreadable' ? unreadableText(base.code) : 'is not a folder'}; nothing written, exit 1`,
      );
      return 1;
    }
    parts.state.markReady();
    await writeOutputs(parts);
    log.info({ checkers: parts.checkers.length }, 'run-once done');
    return 0;
  }

  const notify = systemdNotifier(log); // null unless systemd (Type=notify) asks
  parts.reloader.watcher = notify;
  const unhookSignals = handleHupAndUsr1(log, parts.reloader);
  if (releaseEarlyHangup()) {
    log.info({ signal: 'SIGHUP' }, 'SIGHUP during start-up: reloading the configuration');
    void parts.reloader.reload();
  }
  stop.onSignals(['SIGTERM', 'SIGINT'], (sig) => {
    log.info({ signal: sig }, 'stopping');
    notify?.stopping();
    setTimeout(() => {
      log.warn('still busy 4.5 s after the signal; exiting now');
      process.exit(0);
    }, 4500).unref();
  });
  // peers are asked from the start, server or not (the fleet gauges and the textfile read them);
  // a reload or the database may add peers later, and a round without any costs nothing
  parts.web.fleet.start();
  let server: WebServer | null = null;
  if (config.listenAddresses.length > 0) {
    // the HTTP side (Node's http, https, tls and zlib among it) loads only for a daemon that serves
    const [{ coreRoutes }, { webRoutes }, { startWebServer }] = await Promise.all([
      import('./coreRoutes.js'),
      import('../web/routes.js'),
      import('./webServer.js'),
    ]);
    server = await startWebServer(config, [...coreRoutes(parts), ...webRoutes(parts.web)], log, parts.metrics);
  }
  const web = server;
  if (web !== null) parts.reloader.onReload(() => web.reload()); // SIGHUP re-reads --web.config.file
  // the first address (its port as bound: 0 there picks one)
  if (config.portFile !== undefined)
    await writeFileAtomic(config.portFile, `${healthUrl(config.listenAddresses[0]?.host, server?.port ?? 0, server?.scheme ?? 'http')}\n`);
  // as root with --user: the port is bound; from here on the daemon runs as that user
  await dropPrivileges(config.user, config.outputDir, config.baseDir, log);
  await parts.history.load();
  await firstPass(parts);
  parts.history.begin(parts.state.list());
  parts.state.markReady();
  parts.metrics.ready.set(1);
  notify?.ready(); // after /readyz turned 200
  if (config.makePage) await writeOutputs(parts).catch((e: unknown) => log.error({ err: e }, 'cannot write outputs'));
  const live = config.watch ? new (await import('../live/liveMode.js')).LiveMode(parts) : null;
  if (live !== null) await startLive(live);
  await Promise.all(parts.checkers.map((c) => checkerLoop(parts, c, live)));
  await live?.stop();
  parts.web.fleet.stop();
  await server?.close();
  await Promise.all(parts.checkers.map((c) => c.flush()));
  await parts.history.close();
  unhookSignals();
  await notify?.flush();
  log.info('stopped');
  return 0;
}
