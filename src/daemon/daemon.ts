import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { DaemonConfig } from '../config/daemonConfig.js';
import { createLogger, type Logger } from '../log.js';
import { streamCounters } from './httpCounters.js';
import type { DaemonParts } from './daemonParts.js';
import { CoverageGauges } from '../outputs/coverageGauges.js';
import { SelfMetrics } from '../outputs/selfMetrics.js';
import { writeTextfile } from '../outputs/textfile.js';
import { FleetGauges } from '../outputs/fleetGauges.js';
import { fleetOf, type WebContext } from '../web/context.js';
import { fleetFigures, fleetInputs } from './fleetFigures.js';
import { WindowGauges } from '../outputs/windowGauges.js';
import { outputDirUrl, writeCoveragePage, writeStaticPage } from '../web/staticPage.js';
import { NodeList, type NodeRef } from '../nodes/nodeList.js';
import { folderTarget, type PeerTarget } from '../web/peerFetcher.js';
import { pgNodeFetcher } from '../nodes/pgNodes.js';
import { CoverageState } from '../live/coverageState.js';
import { LatestWins } from './latestWins.js';
import { prepareOutputs } from './prepareOutputs.js';
import { problemLog } from './problemLog.js';
import type { LiveMode } from '../live/liveMode.js';
import { QualityChecker } from './qualityChecker.js';
import { Reloader, type ConfigLoader } from './reload.js';
import { handleHupAndUsr1 } from './signals.js';
import { releaseEarlyHangup, releaseEarlyHangupAsDefault } from '../earlyHangup.js';
import { StopSignal } from './stopSignal.js';
import { dropPrivileges } from './privileges.js';
import { writeFileAtomic } from '../outputs/atomicWrite.js';
import { installLastResort } from './lastResort.js';
import type { WebServer } from './webServer.js';
import { coldPassThreads, endPrestartedWorkers, HourWorkerPool } from '../scan/hourWorkerPool.js';
import { qualityDir } from '../store/layout.js';

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
  const log = given ?? createLogger(config.logLevel, process.stderr, (level) => metrics.logLines.inc({ level }));
  const gauges = new CoverageGauges();
  const state = new CoverageState();
  const windowGauges = new WindowGauges(() => state.list());
  const report = problemLog(log, metrics);
  const stop = new StopSignal();
  const web: WebContext = {
    state, config, nodeName: config.nodeName, streamEvents: streamCounters(metrics, log),
    // the database's nodes (as last read for the pages), read from the files beside their maps
    extraPeers: () => databasePeers(nodes.current(), config.peers),
  };
  const fleetGauges = new FleetGauges(() => fleetFigures(web), () => fleetInputs(web));
  const textfile = new LatestWins((e) => {
    metrics.errors.inc({ kind: 'textfile_write' });
    log.error({ err: String(e), file: config.textfile }, 'cannot write textfile');
  });
  const page = new LatestWins((e) => {
    metrics.errors.inc({ kind: 'page_write' });
    log.error({ err: String(e) }, 'cannot write the static status page');
  });
  // After every update (not in --run-once, which writes them once at the end).
  const afterPublish = config.runOnce ? undefined : () => {
    if (config.textfile !== undefined) textfile.run(() => writeTextfile(config.textfile as string, gauges, windowGauges));
    if (config.makePage && state.ready) page.run(() => writeStaticPage(web));
  };
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
      checkers.push(new QualityChecker(channel, quality, { config, state, gauges, metrics, log, report, afterPublish }));
    }
  }
  const reloader = new Reloader(config, log, metrics.registry, reload.reloadConfig, reload.configFile);
  const parts = { config, log, state, gauges, metrics, windowGauges, checkers, stop, reloader, nodes, web, fleetGauges };
  // SIGHUP: the node list is read again and the coverage pages rewritten
  reloader.onReload(() => reloadNodes(parts));
  return parts;
}

/**
 * `--make-page`: re-reads the node list (a database problem keeps the last list) and
 * writes the `CHANNEL_QUALITY_coverage.html` page of the given checkers.
 */
async function writeCoveragePages(parts: DaemonParts, checkers: readonly QualityChecker[]): Promise<void> {
  if (!parts.config.makePage) return;
  const nodes = await parts.nodes.reload();
  await Promise.all(checkers.map((c) => writeCoveragePage(parts.config.outputDir, c.channel, c.quality, nodes)));
}

/**
 * Re-reads the node list now and rewrites every coverage page (on SIGHUP). Never throws:
 * a failed write is logged and counted.
 */
export async function reloadNodes(parts: DaemonParts): Promise<void> {
  await writeCoveragePages(parts, parts.checkers).catch((e: unknown) => {
    parts.metrics.errors.inc({ kind: 'page_write' });
    parts.log.error({ err: String(e) }, 'cannot write the coverage pages');
  });
}

/** The files written after a pass: textfile and static page (maps are written per checker). */
async function writeOutputs(parts: DaemonParts): Promise<void> {
  const { config } = parts;
  await Promise.all(parts.checkers.map((c) => c.flush()));
  if (config.textfile !== undefined) await writeTextfile(config.textfile, parts.gauges, parts.windowGauges);
  if (config.makePage) {
    // A one-off page asks the node list and the peers once first, so it shows them.
    if (config.runOnce && (Object.keys(config.peers).length > 0 || config.connectionString !== undefined)) {
      await parts.nodes.reload();
      await fleetOf(parts.web).fetcher.round();
    }
    await writeStaticPage(parts.web);
    await writeCoveragePages(parts, parts.checkers);
  }
}

/** Tells whether the base folder is there; a missing one is logged (not fatal: retried next pass). */
async function checkBase(parts: DaemonParts): Promise<void> {
  try {
    if (!(await stat(parts.config.baseDir)).isDirectory()) parts.log.warn({ base: parts.config.baseDir }, 'base dir is not a folder');
  } catch {
    parts.log.warn({ base: parts.config.baseDir }, 'base dir does not exist yet; retrying every pass');
  }
}

/** One full pass of every channel and quality, concurrently (sharing `workers` when given). */
export async function passAll(parts: DaemonParts, workers?: HourWorkerPool | null): Promise<void> {
  await checkBase(parts);
  await Promise.all(parts.checkers.map((c) => runPass(parts, c, workers)));
}

/** Entries of every checker's quality folder: about the number of hour folders a first pass reads. */
function hourFolderCount(parts: DaemonParts): number {
  let n = 0;
  for (const c of parts.checkers) {
    try {
      n += readdirSync(qualityDir(parts.config.baseDir, c.channel, c.quality)).length;
    } catch { /* missing or unreadable: the pass reports it */ }
  }
  return n;
}

/**
 * The first pass (all of --run-once): every hour is read, in batches of a few hours read
 * synchronously on the main thread's lane (an hour's garbage dies young: less GC and RSS
 * than awaiting each listing) and, with enough cores, on worker threads too, which end
 * with the pass. Later passes mostly hit the hour cache and stay on the async path.
 */
export async function firstPass(parts: DaemonParts): Promise<void> {
  const { config, log, metrics } = parts;
  const hourFolders = hourFolderCount(parts);
  const threads = config.coldThreads ?? coldPassThreads(availableParallelism(), hourFolders);
  log.debug({ hourFolders, workers: threads }, 'first pass lanes');
  const workers = new HourWorkerPool({
    threads,
    mainLane: true,
    onFailure: (reason) => {
      metrics.errors.inc({ kind: 'hour_worker' });
      log.warn({ err: reason }, 'hour worker failed; reading its hours in-process');
    },
  });
  try {
    await passAll(parts, workers);
  } finally {
    await Promise.all([workers.close(), endPrestartedWorkers()]);
  }
}

async function runPass(parts: DaemonParts, c: QualityChecker, workers?: HourWorkerPool | null): Promise<void> {
  try {
    await c.fullPass(() => parts.stop.stopped, workers);
  } catch (e) {
    parts.metrics.errors.inc({ kind: 'pass' });
    parts.log.error({ ...c.labels, err: e instanceof Error ? e.stack : String(e) }, 'pass failed; retrying next interval');
  }
}

/** `--check-interval` seconds ± 10% jitter, in ms. */
export function jitteredInterval(seconds: number, random = Math.random): number {
  return seconds * 1000 * (0.9 + 0.2 * random());
}

/** The periodic loop of one checker: wait, pass, repeat, until stopped. */
async function checkerLoop(parts: DaemonParts, c: QualityChecker, live: LiveMode | null): Promise<void> {
  while (!parts.stop.stopped) {
    await parts.stop.sleep(jitteredInterval(parts.config.checkInterval));
    if (parts.stop.stopped) break;
    await runPass(parts, c);
    // the replaced checker's page of this pair, with the node list read afresh, every pass
    await writeCoveragePages(parts, [c]).catch((e: unknown) => {
      parts.metrics.errors.inc({ kind: 'page_write' });
      parts.log.error({ ...c.labels, err: String(e) }, 'cannot write the coverage page');
    });
    if (live !== null && !live.watching && !live.degraded) await startLive(parts, live);
  }
}

/** Starts watching; a failure to start degrades to polling instead of stopping anything. */
async function startLive(parts: DaemonParts, live: LiveMode): Promise<void> {
  try {
    if (!(await live.start())) parts.log.info('base dir missing: live watching starts once it exists');
  } catch (e) {
    live.degrade(e instanceof Error ? e : new Error(String(e)));
  }
}

/** The /healthz URL a local health check uses (`none` without a server). */
function healthUrl(host: string, port: number, scheme: 'http' | 'https'): string {
  if (port === 0) return 'none';
  const local = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
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
  log.debug({ startupMs: Math.round(performance.now()), startupCpuMs: Math.round((cpu.user + cpu.system) / 1000) }, 'starting the first pass');
  const outputsProblem = await prepareOutputs(config, log);
  if (outputsProblem !== null) {
    process.stderr.write(`segcov: ${outputsProblem}\n`);
    return 2;
  }
  if (config.runOnce) {
    await releaseEarlyHangupAsDefault(); // one pass: SIGHUP is a hangup, as for any one-shot command
    await dropPrivileges(config.user, config.outputDir, log);
    await firstPass(parts);
    parts.state.markReady();
    await writeOutputs(parts);
    log.info({ checkers: parts.checkers.length }, 'run-once done');
    return 0;
  }

  const unhookSignals = handleHupAndUsr1(log, parts.reloader);
  if (releaseEarlyHangup()) {
    log.info({ signal: 'SIGHUP' }, 'SIGHUP during start-up: reloading the configuration');
    void parts.reloader.reload();
  }
  stop.onSignals(['SIGTERM', 'SIGINT'], (sig) => {
    log.info({ signal: sig }, 'stopping');
    setTimeout(() => {
      log.warn('still busy 4.5 s after the signal; exiting now');
      process.exit(0);
    }, 4500).unref();
  });
  let server: WebServer | null = null;
  if (config.metricsPort !== 0) {
    // the HTTP side (Node's http, https, tls and zlib among it) loads only for a daemon that serves
    const [{ coreRoutes }, { webRoutes }, { startWebServer }] = await Promise.all([import('./coreRoutes.js'), import('../web/routes.js'), import('./webServer.js')]);
    server = await startWebServer(config, [...coreRoutes(parts), ...webRoutes(parts.web)], log, parts.metrics);
  }
  const web = server;
  if (web !== null) parts.reloader.onReload(() => web.reload()); // SIGHUP re-reads --web.config.file
  if (config.portFile !== undefined) await writeFileAtomic(config.portFile, `${healthUrl(config.metricsHost, server?.port ?? 0, server?.scheme ?? 'http')}\n`);
  // as root with --user: the port is bound; from here on the daemon runs as that user
  await dropPrivileges(config.user, config.outputDir, log);
  await firstPass(parts);
  parts.state.markReady();
  parts.metrics.ready.set(1);
  if (config.makePage) await writeOutputs(parts).catch((e: unknown) => log.error({ err: String(e) }, 'cannot write outputs'));
  const live = config.watch ? new (await import('../live/liveMode.js')).LiveMode(parts) : null;
  if (live !== null) await startLive(parts, live);
  await Promise.all(parts.checkers.map((c) => checkerLoop(parts, c, live)));
  await live?.stop();
  fleetOf(parts.web).stop();
  await server?.close();
  await Promise.all(parts.checkers.map((c) => c.flush()));
  unhookSignals();
  log.info('stopped');
  return 0;
}
