import path from 'node:path';
import type { LiveMode } from '../live/liveMode.js';
import { missingChannels, missingChannelsText, probeBaseDir, unreadableText, type BaseDirState } from '../store/baseDir.js';
import type { DaemonParts } from './daemonParts.js';
import { writeCoveragePages } from './outputWriting.js';
import type { QualityChecker } from './qualityChecker.js';

/*
 * When the daemon reads the store: the first pass, one full pass of every channel and
 * quality every --check-interval, and (re)starting live watching between them.
 */

/**
 * Tells what the base folder is; a missing, unreadable or non-folder base is logged (not
 * fatal: retried next pass). Unreadable (EACCES) is never called missing.
 */
async function checkBase(parts: DaemonParts): Promise<BaseDirState> {
  const base = parts.config.baseDir;
  const state = await probeBaseDir(base);
  if (state.kind === 'not_a_folder') parts.log.warn({ base }, 'base dir is not a folder; retrying every pass');
  else if (state.kind === 'missing') parts.log.warn({ base }, 'base dir does not exist yet; retrying every pass');
  else if (state.kind === 'unreadable')
    parts.log.warn({ base, err: state.code }, `base dir ${unreadableText(state.code)}; retrying every pass`);
  return state;
}

/** One full pass of every channel and quality, concurrently (`batched`: see firstPass). Returns what the base was. */
export async function passAll(parts: DaemonParts, batched = false): Promise<BaseDirState> {
  const base = await checkBase(parts);
  await Promise.all(parts.checkers.map((c) => runPass(parts, c, batched)));
  return base;
}

/** One warning, after the first pass, for configured channels that have no folder under the base. */
async function warnMissingChannels(parts: DaemonParts): Promise<void> {
  const { baseDir, outputDir, channels } = parts.config;
  const own = path.dirname(outputDir) === baseDir ? new Set([path.basename(outputDir)]) : new Set<string>();
  const m = await missingChannels(baseDir, channels, own);
  if (m !== null) parts.log.warn({ base: baseDir, missing: m.missing }, missingChannelsText(baseDir, m));
}

/**
 * The first pass (all of --run-once): every hour is read, in batches of a few hours read
 * synchronously (an hour's garbage dies young: less GC and RSS than awaiting each listing).
 * Later passes mostly hit the hour cache and stay on the async path.
 */
export async function firstPass(parts: DaemonParts): Promise<BaseDirState> {
  const base = await passAll(parts, true);
  if (base.kind === 'ok') await warnMissingChannels(parts);
  return base;
}

async function runPass(parts: DaemonParts, c: QualityChecker, batched: boolean): Promise<void> {
  try {
    await c.fullPass(() => parts.stop.stopped, batched);
    parts.windowWarnings.check(c.channel, c.quality);
  } catch (e) {
    parts.metrics.errors.inc({ kind: 'pass' });
    parts.log.error({ ...c.labels, err: e instanceof Error ? e.stack : String(e) }, 'pass failed; retrying next interval');
  }
}

/** `--check-interval` seconds ± 10% jitter, in ms. */
function jitteredInterval(seconds: number, random = Math.random): number {
  return seconds * 1000 * (0.9 + 0.2 * random());
}

/** The periodic loop of one checker: wait, pass, repeat, until stopped. */
export async function checkerLoop(parts: DaemonParts, c: QualityChecker, live: LiveMode | null): Promise<void> {
  while (!parts.stop.stopped) {
    await parts.stop.sleep(jitteredInterval(parts.config.checkInterval));
    if (parts.stop.stopped) break;
    await runPass(parts, c, false);
    // the replaced checker's page of this pair, with the node list read afresh, every pass
    await writeCoveragePages(parts, [c]).catch((e: unknown) => {
      parts.metrics.errors.inc({ kind: 'page_write' });
      parts.log.error({ ...c.labels, err: e }, 'cannot write the coverage page');
    });
    if (live !== null && !live.watching && !live.degraded) await startLive(live);
  }
}

/** Starts watching; a failure to start degrades to polling instead of stopping anything. */
export async function startLive(live: LiveMode): Promise<void> {
  try {
    await live.start();
  } catch (e) {
    live.degrade(e instanceof Error ? e : new Error(String(e)));
  }
}
