import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from './main.js';
import { parseBool } from './settingsSources.js';
import { HOUR_US } from '../coverage/types.js';
import { formatHourName } from '../store/hourName.js';
import { formatSegmentName } from '../store/segmentName.js';
import { writeDemoStore } from '../demo/demoStore.js';

/**
 * `npm run demo`: builds a realistic store (six hours up to now, two qualities, holes,
 * suspect and partial segments, duplicate downloads, a tombstone, a bad name) in a
 * temporary folder, keeps "recording" into it every 2 s, and runs the daemon on it; the
 * folder is removed at exit. Extra arguments go to the daemon (e.g. `npm run demo -- --run-once`).
 */
const CHANNEL = 'demo';
const QUALITIES = ['source', '480p'];

function buildStore(base: string, now: number): void {
  const currentHour = Math.floor(now / HOUR_US) * HOUR_US;
  writeDemoStore({
    base,
    channel: CHANNEL,
    qualities: QUALITIES,
    firstHour: currentHour - 5 * HOUR_US,
    hours: 6,
    lastHourSeconds: Math.floor((now - currentHour) / 1e6),
    seed: 7,
    faults: { missing: 0.004, duplicate: 0.02, suspect: 0.01, partial: 0.006, temp: 0.002, tombstone: 0.001, bad: 0.0005 },
  });
  // A recorder outage: five minutes lost in one hour of 480p, and a whole hour of source.
  const outage = path.join(base, CHANNEL, '480p', formatHourName(currentHour - 3 * HOUR_US));
  for (const f of readdirSync(outage)) if (f >= '20:00' && f < '25:00') rmSync(path.join(outage, f));
  rmSync(path.join(base, CHANNEL, 'source', formatHourName(currentHour - 4 * HOUR_US)), { recursive: true });
  // Exactly one tombstone and one bad name, whatever the dice said.
  const hour1 = path.join(base, CHANNEL, 'source', formatHourName(currentHour - 2 * HOUR_US));
  const first = readdirSync(hour1)
    .filter((f) => f.endsWith('.ts'))
    .sort()[10];
  writeFileSync(path.join(hour1, first.replace(/\.ts$/, '.tombstone')), '');
  writeFileSync(path.join(hour1, '12:34-oops-full-AAAA.ts'), '');
}

/** Appends the newest 2 s segment of every quality, as a recorder would (temp name, then rename). */
function record(base: string, now: number): void {
  const segUs = 2_000_000;
  const start = Math.floor(now / segUs) * segUs - segUs;
  const hourStart = Math.floor(start / HOUR_US) * HOUR_US;
  for (const q of QUALITIES) {
    const dir = path.join(base, CHANNEL, q, formatHourName(hourStart));
    const name = formatSegmentName(start - hourStart, segUs, 'full', `live${String((start / segUs) % 1e6).padStart(8, '0')}`);
    mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `.${name}.part`);
    writeFileSync(tmp, '');
    renameSync(tmp, path.join(dir, name));
  }
}

/** The `--flag VALUE` or `--flag=VALUE` among the daemon's arguments, else undefined. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

const base = mkdtempSync(path.join(tmpdir(), 'segcov-demo-'));
// The store is the demo's own: removed on every way out (normal end, --run-once, SIGINT,
// SIGTERM, the daemon's own exit), and the last line says where it was.
process.on('exit', () => {
  rmSync(base, { recursive: true, force: true });
  process.stdout.write(`segcov demo: removed the demo store ${base}\n`);
});
// A signal before the daemon handles its own (while the store is built): end, cleaning up.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (process.listenerCount(sig) === 1) process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}
const now = Date.now() * 1000;
buildStore(base, now);
const extra = process.argv.slice(2);
const runOnce = extra.includes('--run-once') || parseBool(process.env.SEGCOV_RUN_ONCE) === true;
const port = flagValue(extra, '--metrics-port') ?? process.env.SEGCOV_METRICS_PORT ?? '8006';
const outputDir = flagValue(extra, '--output-dir');
const maps = outputDir === undefined ? path.join(base, 'coverage-maps') : path.resolve(base, outputDir);
// the URLs only when the daemon serves them: not for one pass, not with --metrics-port 0
const serves = !runOnce && Number(port) !== 0;
process.stdout.write(
  `${[
    '',
    `segcov demo: a store of 6 hours × 2 qualities in ${base} (removed at exit)`,
    ...(serves ? [`  status page  http://127.0.0.1:${port}/`, `  metrics      http://127.0.0.1:${port}/metrics`] : []),
    `  maps         ${maps}/${CHANNEL}_source_coverage.png (and _480p_)${maps.startsWith(`${base}/`) ? ', removed with the store: --output-dir DIR keeps them' : ''}`,
    runOnce
      ? '  (--run-once: one pass, then exit)'
      : `  a new segment lands every 2 s; Ctrl-C stops${serves ? '' : ' (no HTTP server: --metrics-port 0)'}`,
    '',
  ].join('\n')}\n`,
);
if (!runOnce) setInterval(() => record(base, Date.now() * 1000), 2000).unref();
await main([CHANNEL, '--base-dir', base, '--qualities', QUALITIES.join(','), ...extra]);
