import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { DAEMON_OPTIONS } from '../../src/cli/daemonFlags.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { firstPass } from '../../src/daemon/passes.js';
import { createLogger } from '../../src/log.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseProm, waitFor, type RunningDaemon, WAIT_MS } from '../helpers/cli.js';

/** Coverage series only (the per-hour gauges), as a sorted text, for comparing two scrapes. */
export function coverageSeries(text: string): string {
  return [...parseProm(text).entries()]
    .filter(([k]) => !k.startsWith('segcov_') && !k.startsWith('process_') && !k.startsWith('nodejs_') && !k.startsWith('log_count_total'))
    .map(([k, v]) => `${k} ${v}`)
    .sort()
    .join('\n');
}

/**
 * The gauges a fresh `--run-once` would publish, computed in this process through the
 * same parts (createDaemon + firstPass with run-once set, its batches included): the same code path without the
 * ~0.5 s start of a new node process per comparison.
 */
export async function freshRunOnce(base: string, channels: readonly string[], qualities: readonly string[]): Promise<string> {
  const defaults: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(DAEMON_OPTIONS)) if ('default' in o) defaults[k] = o.default;
  const config = resolveDaemonConfig({
    ...defaults,
    'output-dir': '/nonexistent-never-written',
    channels: [...channels],
    'base-dir': base,
    qualities: qualities.join(','),
    'metrics-port': 0,
    'run-once': true,
  });
  const quiet = new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
  const parts = createDaemon(config, createLogger('error', quiet));
  await firstPass(parts);
  return coverageSeries(parts.gauges.text());
}

export async function scrape(d: RunningDaemon): Promise<Map<string, number>> {
  return parseProm(await (await fetch(`${d.url}/metrics`)).text());
}

/**
 * Waits (polling, under a generous deadline) until the daemon's coverage gauges equal a
 * fresh run-once, then returns; on timeout fails showing both.
 */
export async function waitUntilLiveMatches(
  d: RunningDaemon,
  base: string,
  channels: readonly string[],
  qualities: readonly string[],
  context: () => string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  let expected = '';
  let got = '';
  await waitFor(
    'live gauges to equal a fresh run-once',
    async () => {
      expected = await freshRunOnce(base, channels, qualities);
      got = coverageSeries(await (await fetch(`${d.url}/metrics`)).text());
      return got === expected ? true : undefined;
    },
    timeoutMs,
    100,
  ).catch((e: unknown) => {
    throw new Error(
      `${String(e)}: live gauges differ from a fresh run-once after:\n${context()}\n--- live\n${got}\n--- run-once\n${expected}\n--- daemon log tail\n${d.stderr().slice(-3000)}`,
    );
  });
}

/**
 * A temp folder on a file system that hands a re-created folder its old inode number
 * (ext4 does at once; this machine's tmpfs does not), so re-creation tests meet the case
 * where a stale watch and a new folder share an inode.
 */
export function makeInodeReusingTmpDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(process.env.SEGCOV_TEST_TMP ?? tmpdir(), `segcov-${prefix}-`));
}
