import type { DaemonConfig } from '../config/daemonConfig.js';
import type { CoverageState } from '../live/coverageState.js';
import type { Logger } from '../log.js';
import type { CoverageGauges } from '../outputs/metrics/coverageGauges.js';
import type { SelfMetrics } from '../outputs/metrics/selfMetrics.js';
import { writeTextfile } from '../outputs/metrics/textfile.js';
import type { WindowGauges } from '../outputs/metrics/windowGauges.js';
import type { WebContext } from '../web/context.js';
import { writeCoveragePage, writeStaticPage } from '../web/staticPage.js';
import type { DaemonParts } from './daemonParts.js';
import { LatestWins } from './latestWins.js';
import type { QualityChecker } from './qualityChecker.js';

/** What the writer after each update needs. */
export interface PublishTargets {
  readonly config: DaemonConfig;
  readonly state: CoverageState;
  readonly gauges: CoverageGauges;
  readonly windowGauges: WindowGauges;
  readonly web: WebContext;
  readonly metrics: SelfMetrics;
  readonly log: Logger;
}

/**
 * What runs after every published update: the textfile and the static page, each written
 * by its own LatestWins (a failed write is retried until it lands). Undefined for
 * --run-once, which writes them once at the end (writeOutputs).
 */
export function afterPublishWriter(t: PublishTargets): (() => void) | undefined {
  const { config, state, gauges, windowGauges, web, metrics, log } = t;
  if (config.runOnce) return undefined;
  const textfile = new LatestWins((e) => {
    metrics.errors.inc({ kind: 'textfile_write' });
    log.error({ err: e, file: config.textfile }, 'cannot write textfile');
  });
  const page = new LatestWins((e) => {
    metrics.errors.inc({ kind: 'page_write' });
    log.error({ err: e }, 'cannot write the static status page');
  });
  return () => {
    if (config.textfile !== undefined) textfile.run(() => writeTextfile(config.textfile as string, gauges, windowGauges));
    if (config.makePage && state.ready) page.run(() => writeStaticPage(web));
  };
}

/**
 * `--make-page`: re-reads the node list (a database problem keeps the last list) and
 * writes the `CHANNEL_QUALITY_coverage.html` page of the given checkers.
 */
export async function writeCoveragePages(parts: DaemonParts, checkers: readonly QualityChecker[]): Promise<void> {
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
    parts.log.error({ err: e }, 'cannot write the coverage pages');
  });
}

/** The files written after a pass: textfile and static page (maps are written per checker). */
export async function writeOutputs(parts: DaemonParts): Promise<void> {
  const { config } = parts;
  await Promise.all(parts.checkers.map((c) => c.flush()));
  if (config.textfile !== undefined) await writeTextfile(config.textfile, parts.gauges, parts.windowGauges);
  if (config.makePage) {
    // A one-off page asks the node list and the peers once first, so it shows them.
    if (config.runOnce && (Object.keys(config.peers).length > 0 || config.connectionString !== undefined)) {
      await parts.nodes.reload();
      await parts.web.fleet.fetcher.round();
    }
    await writeStaticPage(parts.web);
    await writeCoveragePages(parts, parts.checkers);
  }
}
