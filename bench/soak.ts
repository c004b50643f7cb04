/**
 * `npm run soak` (issue 9): live churn against a real daemon for SOAK_MINUTES (default 30),
 * sampling its RSS, heap, fds and CPU every SOAK_SAMPLE_S (default 30) seconds.
 *
 * The store is generated fresh on tmpfs (SOAK_HOURS, default 48, hours × 1800 segments ×
 * 2 qualities, realistic faults) in a temp folder that is removed at the end. A fake recorder
 * then writes, per quality, one 2 s segment every 2 s (temp name, then renamed in, as a recorder
 * does) plus a burst of SOAK_BURST_SEGMENTS (default 100) at once every SOAK_BURST_S (default
 * 120, shorter for runs under 8 min) s. Its clock runs faster than real time: every SOAK_HOUR_EVERY_S (default 300) s it
 * skips to 10 s before the next hour (a recording outage, i.e. a hole), so a new hour folder
 * appears soon after; every SOAK_REMOVE_EVERY_S (default 240) s the oldest hour folder of each
 * quality is removed.
 *
 * After a warm-up (the first 20 % of the run, at most 5 minutes) the least-squares slopes of
 * RSS, heap and fds are reported (target RSS ≤ 0.1 MiB/min). Then the churn stops, the daemon
 * is polled until its coverage series (the per-hour gauges) equal those of a fresh `--run-once --textfile`
 * of the same store, and it is sent SIGTERM. Exits non-zero if they never become equal or the
 * daemon died. The figures replace the "Soak" section of bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HOUR_US } from '../src/coverage/types.js';
import { writeDemoStore } from '../src/demo/demoStore.js';
import { formatHourName } from '../src/store/hourName.js';
import { formatSegmentName } from '../src/store/segmentName.js';
import { BIN, cleanEnv, parseProm, startDaemon, type RunningDaemon } from '../test/helpers/cli.js';
import { coverageSeries } from '../test/live/liveHarness.js';
import { cpuSeconds, loadAverage, sleep } from './measure.js';
import { FIRST_HOUR, REPO } from './stores.js';

const num = (name: string, dflt: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${v}`);
  return n;
};
const MINUTES = num('SOAK_MINUTES', 30);
const SAMPLE_S = num('SOAK_SAMPLE_S', 30);
const HOURS = num('SOAK_HOURS', 48);
// Shorter runs get proportionally shorter intervals, so each kind of churn still happens.
const BURST_S = num('SOAK_BURST_S', Math.min(120, MINUTES * 15));
const BURST_SEGMENTS = num('SOAK_BURST_SEGMENTS', 100);
const HOUR_EVERY_S = num('SOAK_HOUR_EVERY_S', Math.min(300, MINUTES * 15));
const REMOVE_EVERY_S = num('SOAK_REMOVE_EVERY_S', Math.min(240, MINUTES * 20));
const SETTLE_TIMEOUT_S = num('SOAK_SETTLE_TIMEOUT_S', 300);
/** `NAME=value` pairs separated by spaces, as an environment. */
const envOf = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(/\s+/)
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
/** The `Environment=` settings of the shipped systemd unit (config/segcov.service): the daemon runs as it would in production. */
export function unitEnvironment(unitText: string): Record<string, string> {
  return Object.assign(
    {},
    ...unitText
      .split('\n')
      .filter((l) => l.startsWith('Environment='))
      .map((l) => envOf(l.slice('Environment='.length))),
  );
}
/**
 * The daemon's extra environment: the unit's (SOAK_UNIT_ENV=0 leaves it out, e.g. to measure
 * without the allocator settings), then SOAK_DAEMON_ENV (`NAME=value` separated by spaces).
 */
const DAEMON_ENV = {
  ...(process.env.SOAK_UNIT_ENV === '0' ? {} : unitEnvironment(readFileSync(path.join(REPO, 'config', 'segcov.service'), 'utf8'))),
  ...envOf(process.env.SOAK_DAEMON_ENV ?? ''),
};
/** SOAK_WRITE_RESULTS=0 leaves bench/RESULTS.md alone (diagnostic runs). */
const WRITE_RESULTS = process.env.SOAK_WRITE_RESULTS !== '0';
const CHANNEL = 'bench';
const QUALITIES = ['source', '480p'];
const SEG_US = 2_000_000;
/** Where the store is made: SOAK_TMP, else /dev/shm (tmpfs), else the system temp dir. */
const TMP_ROOT = process.env.SOAK_TMP ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());

/** The fake recorder: writes segments at its own clock (µs), adds and removes hour folders. */
class Recorder {
  /** Start of the next segment to write. */
  next: number;
  written = 0;
  hoursAdded = 0;
  hoursRemoved = 0;
  constructor(
    readonly base: string,
    start: number,
  ) {
    this.next = start;
  }

  private hourDir(quality: string, hourStart: number): string {
    return path.join(this.base, CHANNEL, quality, formatHourName(hourStart));
  }

  /** One 2 s segment per quality: a temp name first, then renamed in. */
  segment(): void {
    const start = this.next;
    const hourStart = Math.floor(start / HOUR_US) * HOUR_US;
    for (const q of QUALITIES) {
      const dir = this.hourDir(q, hourStart);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        if (q === QUALITIES[0]) this.hoursAdded++;
      }
      const hash = `soak${String(start / SEG_US).padStart(12, '0')}`;
      const tmp = path.join(dir, formatSegmentName(start - hourStart, SEG_US, 'temp', hash));
      writeFileSync(tmp, 'segment');
      renameSync(tmp, path.join(dir, formatSegmentName(start - hourStart, SEG_US, 'full', hash)));
      this.written++;
    }
    this.next += SEG_US;
  }

  /** An outage: the clock skips to 10 s before the next hour, so a new hour folder comes soon. */
  skipToHourEnd(): void {
    const nextHour = (Math.floor(this.next / HOUR_US) + 1) * HOUR_US;
    this.next = Math.max(this.next, nextHour - 10 * 1_000_000);
  }

  /** Removes the oldest hour folder of every quality (as an operator's clean-up would). */
  removeOldest(): void {
    for (const q of QUALITIES) {
      const dir = path.join(this.base, CHANNEL, q);
      const hours = readdirSync(dir)
        .filter((n) => !n.startsWith('.'))
        .sort();
      if (hours.length > 2) rmSync(path.join(dir, hours[0]), { recursive: true, force: true });
    }
    this.hoursRemoved++;
  }
}

interface Sample {
  readonly tMin: number;
  readonly rssMiB: number;
  readonly anonMiB: number;
  readonly heapMiB: number;
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  readonly fds: number;
  readonly cpuPct: number;
}

function statusMiB(pid: number, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}
const rssMiB = (pid: number): number => statusMiB(pid, 'VmRSS');

/** The daemon's own V8 figures from /metrics: heap used, heap committed, external (Buffers, ArrayBuffers). */
async function heapFigures(d: RunningDaemon): Promise<{ heapMiB: number; heapTotalMiB: number; externalMiB: number }> {
  const m = parseProm(await (await fetch(`${d.url}/metrics`)).text());
  const mib = (k: string): number => {
    const v = m.get(k);
    return v === undefined ? NaN : v / 1024 / 1024;
  };
  return {
    heapMiB: mib('nodejs_heap_size_used_bytes'),
    heapTotalMiB: mib('nodejs_heap_size_total_bytes'),
    externalMiB: mib('nodejs_external_memory_bytes'),
  };
}

async function sampleOf(d: RunningDaemon, pid: number, tMin: number, cpuPct: number): Promise<Sample> {
  return {
    tMin,
    rssMiB: rssMiB(pid),
    anonMiB: statusMiB(pid, 'RssAnon'),
    ...(await heapFigures(d)),
    fds: readdirSync(`/proc/${pid}/fd`).length,
    cpuPct,
  };
}

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num2 += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? NaN : num2 / den;
}

/** The coverage series of a fresh `segcov --run-once --textfile` of the store. */
async function runOnceSeries(base: string, work: string): Promise<string> {
  const textfile = path.join(work, 'run-once.prom');
  const args = [
    BIN,
    CHANNEL,
    '--base-dir',
    base,
    '--qualities',
    QUALITIES.join(','),
    '--run-once',
    '--textfile',
    textfile,
    '--output-dir',
    path.join(work, 'run-once-out'),
    '--metrics-port',
    '0',
    '--log-level',
    'error',
  ];
  const child = spawn(process.execPath, args, { env: cleanEnv(), cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  if (code !== 0) throw new Error(`segcov --run-once exited with ${code}`);
  return coverageSeries(readFileSync(textfile, 'utf8'));
}

function firstDiffs(a: string, b: string, max = 10): string[] {
  const as = new Set(a.split('\n'));
  const bs = new Set(b.split('\n'));
  return [
    ...[...as].filter((l) => !bs.has(l)).map((l) => `daemon:   ${l}`),
    ...[...bs].filter((l) => !as.has(l)).map((l) => `run-once: ${l}`),
  ].slice(0, max);
}

function writeSection(section: string): void {
  const file = path.join(REPO, 'bench', 'RESULTS.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = old.indexOf('## Soak');
  const kept = start < 0 ? old.trimEnd() : old.slice(0, start).trimEnd();
  const rest =
    start < 0
      ? ''
      : old
          .slice(start)
          .replace(/^## Soak[\s\S]*?(?=\n## |$)/, '')
          .trim();
  writeFileSync(file, `${[kept, section, rest].filter((s) => s !== '').join('\n\n')}\n`);
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const rowOf = (s: Sample, written: number): string =>
  `| ${s.tMin.toFixed(1)} | ${f1(s.rssMiB)} | ${f1(s.anonMiB)} | ${f1(s.heapMiB)} / ${f1(s.heapTotalMiB)} | ${f1(s.externalMiB)} | ${s.fds} | ${f1(s.cpuPct)} | ${written} |`;

async function main(): Promise<number> {
  const work = mkdtempSync(path.join(TMP_ROOT, 'segcov-soak-'));
  const base = path.join(work, 'store');
  let daemon: RunningDaemon | undefined;
  try {
    const load0 = loadAverage();
    const g0 = performance.now();
    // The last hour stops 60 s short of its end: the recorder resumes there.
    const files = writeDemoStore({
      base,
      channel: CHANNEL,
      qualities: QUALITIES,
      firstHour: FIRST_HOUR,
      hours: HOURS,
      seed: 11,
      lastHourSeconds: 3540,
    });
    console.error(
      `soak: store of ${HOURS} h × ${QUALITIES.length} qualities (${files} files) in ${base}, ${((performance.now() - g0) / 1000).toFixed(1)} s`,
    );
    const rec = new Recorder(base, FIRST_HOUR + (HOURS - 1) * HOUR_US + 3540 * 1_000_000);

    const r0 = performance.now();
    daemon = await startDaemon(
      [
        CHANNEL,
        '--base-dir',
        base,
        '--qualities',
        QUALITIES.join(','),
        '--output-dir',
        path.join(work, 'daemon-out'),
        '--log-level',
        'warn',
      ],
      { readyTimeoutMs: 600_000, env: cleanEnv(DAEMON_ENV) },
    );
    const pid = daemon.proc.pid;
    if (pid === undefined) throw new Error('daemon has no pid');
    const d = daemon;
    console.error(`soak: daemon environment ${JSON.stringify(DAEMON_ENV)}`);
    console.error(
      `soak: daemon pid ${pid} ready on ${d.url} in ${((performance.now() - r0) / 1000).toFixed(1)} s; churning ${MINUTES} min, sampling every ${SAMPLE_S} s`,
    );

    const totalMs = MINUTES * 60_000;
    const t0 = performance.now();
    const elapsed = (): number => performance.now() - t0;
    const samples: Sample[] = [];
    let cpuPrev = cpuSeconds(pid);
    let cpuPrevT = elapsed();
    let bursts = 0;
    let nextTick = 0;
    let nextSample = 0;
    let nextBurst = BURST_S * 1000;
    let nextSkip = HOUR_EVERY_S * 1000;
    let nextRemove = REMOVE_EVERY_S * 1000;
    let died = false;
    console.log('| min | RSS MiB | anon MiB | heap used / committed MiB | external MiB | fds | CPU % | segments written |');
    console.log('|---|---|---|---|---|---|---|---|');
    while (elapsed() < totalMs) {
      if (d.proc.exitCode !== null || d.proc.signalCode !== null) {
        died = true;
        break;
      }
      const now = elapsed();
      if (now >= nextSample) {
        const cpu = cpuSeconds(pid);
        const s = await sampleOf(d, pid, now / 60_000, samples.length > 0 ? ((cpu - cpuPrev) / ((now - cpuPrevT) / 1000)) * 100 : NaN);
        cpuPrev = cpu;
        cpuPrevT = now;
        samples.push(s);
        console.log(rowOf(s, rec.written));
        nextSample += SAMPLE_S * 1000;
      }
      if (now >= nextSkip) {
        rec.skipToHourEnd();
        nextSkip += HOUR_EVERY_S * 1000;
      }
      if (now >= nextRemove) {
        rec.removeOldest();
        nextRemove += REMOVE_EVERY_S * 1000;
      }
      if (now >= nextBurst) {
        for (let i = 0; i < BURST_SEGMENTS; i++) rec.segment();
        bursts++;
        nextBurst += BURST_S * 1000;
      }
      if (now >= nextTick) {
        rec.segment();
        nextTick += 2000;
      }
      await sleep(Math.max(10, Math.min(nextTick, nextSample, nextBurst, nextSkip, nextRemove, totalMs) - elapsed()));
    }
    // The last sample: at the end of the churn.
    if (!died) {
      const now = elapsed();
      const cpu = cpuSeconds(pid);
      const s = await sampleOf(d, pid, now / 60_000, ((cpu - cpuPrev) / ((now - cpuPrevT) / 1000)) * 100);
      samples.push(s);
      console.log(rowOf(s, rec.written));
    }

    const warmMin = Math.min(0.2 * MINUTES, 5);
    const after = samples.filter((s) => s.tMin >= warmMin);
    const xs = after.map((s) => s.tMin);
    const rssSlope = slope(
      xs,
      after.map((s) => s.rssMiB),
    );
    const heapSlope = slope(
      xs,
      after.map((s) => s.heapMiB),
    );
    const fdSlope = slope(
      xs,
      after.map((s) => s.fds),
    );
    const cpus = after.map((s) => s.cpuPct).filter((c) => Number.isFinite(c));
    const meanCpu = cpus.length === 0 ? NaN : cpus.reduce((a, c) => a + c, 0) / cpus.length;
    // At most 13 evenly spaced samples (first and last included) for RESULTS.md.
    const step = Math.max(1, Math.ceil((samples.length - 1) / 12));
    const shown = samples.filter((_s, i) => i % step === 0 || i === samples.length - 1);

    // Settle: the store no longer changes; poll the daemon until it equals a fresh run-once.
    let equal = false;
    let settleS = NaN;
    let diffs: string[] = [];
    let mismatches = 'n/a';
    let degraded = 'n/a';
    if (!died) {
      const s0 = performance.now();
      const expected = await runOnceSeries(base, work);
      if (expected === '') throw new Error('the fresh --run-once published no coverage series');
      let got = '';
      while ((performance.now() - s0) / 1000 < SETTLE_TIMEOUT_S) {
        if (d.proc.exitCode !== null || d.proc.signalCode !== null) {
          died = true;
          break;
        }
        const text = await (await fetch(`${d.url}/metrics`)).text();
        got = coverageSeries(text);
        if (got === expected) {
          equal = true;
          settleS = (performance.now() - s0) / 1000;
          const m = parseProm(text);
          mismatches = String(
            [...m.entries()].filter(([k]) => k.startsWith('segcov_live_mismatches_total')).reduce((a, [, v]) => a + v, 0),
          );
          degraded = String(m.get('segcov_watcher_degraded') ?? 'n/a');
          break;
        }
        await sleep(500);
      }
      if (!equal) diffs = firstDiffs(got, expected);
      console.error(
        `soak: ${expected.split('\n').length} coverage series; ${equal ? `daemon equal to a fresh --run-once ${settleS.toFixed(1)} s after the churn stopped` : 'daemon NOT equal to a fresh --run-once'}`,
      );
      for (const l of diffs) console.error(`  ${l}`);
    }
    const stop = await d.stop('SIGTERM');
    daemon = undefined;
    console.error(`soak: SIGTERM → exit ${stop.code} in ${stop.ms} ms`);

    const ok = !died && equal && stop.code === 0;
    const pass = (x: boolean): string => (x ? 'yes' : '**no**');
    const section = [
      '## Soak: live churn against a running daemon',
      '',
      `${new Date().toISOString()}, node ${process.version}, load average before the run ${load0} (2 cores, shared). Store ${HOURS} h × ${QUALITIES.length} qualities × 1800 segments (${files} files, in ${TMP_ROOT}), daemon environment ${
        Object.keys(DAEMON_ENV).length === 0
          ? 'none added'
          : Object.entries(DAEMON_ENV)
              .map(([k, v]) => `\`${k}=${v}\``)
              .join(' ')
      }, ${MINUTES} min of churn sampled every ${SAMPLE_S} s: ${rec.written} segments written (one per quality every 2 s, ${bursts} bursts of ${BURST_SEGMENTS} per quality), ${rec.hoursAdded} hour folders added, ${rec.hoursRemoved} × oldest hour folder removed per quality. Slopes over the samples after a ${warmMin.toFixed(1)} min warm-up (${after.length} samples).`,
      '',
      '| RSS slope (target ≤ 0.1) | heap slope | fd slope | RSS first / last | heap first / last | fds first / last | mean CPU after warm-up | equal to fresh run-once | settled after churn | SIGTERM → exit | daemon survived |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      `| ${f3(rssSlope)} MiB/min | ${f3(heapSlope)} MiB/min | ${f3(fdSlope)} fds/min | ${f1(samples[0]?.rssMiB ?? NaN)} / ${f1(samples.at(-1)?.rssMiB ?? NaN)} MiB | ${f1(samples[0]?.heapMiB ?? NaN)} / ${f1(samples.at(-1)?.heapMiB ?? NaN)} MiB | ${samples[0]?.fds ?? 'n/a'} / ${samples.at(-1)?.fds ?? 'n/a'} | ${f1(meanCpu)} % | ${pass(equal)} | ${Number.isFinite(settleS) ? `${settleS.toFixed(1)} s` : 'n/a'} | ${stop.ms} ms (code ${stop.code}) | ${pass(!died)} |`,
      '',
      `Live mismatches found by periodic passes: ${mismatches}; watcher degraded at the end: ${degraded}.`,
      '',
      '| min | RSS MiB | of which anonymous | heap used / committed MiB | external MiB | fds | CPU % since the previous sample |',
      '|---|---|---|---|---|---|---|',
      ...shown.map(
        (x) =>
          `| ${x.tMin.toFixed(1)} | ${f1(x.rssMiB)} | ${f1(x.anonMiB)} | ${f1(x.heapMiB)} / ${f1(x.heapTotalMiB)} | ${f1(x.externalMiB)} | ${x.fds} | ${f1(x.cpuPct)} |`,
      ),
      '',
      'How measured: `npm run soak` (knobs `SOAK_MINUTES`, default 30, and `SOAK_SAMPLE_S`, default 30; see bench/soak.ts).',
      'RSS is VmRSS (anonymous: RssAnon) and fds the entries of /proc/PID/fd of the daemon process, heap is its own',
      '`nodejs_heap_size_used_bytes` / `nodejs_heap_size_total_bytes` and external `nodejs_external_memory_bytes` from /metrics, CPU from utime + stime in /proc/PID/stat. Slopes are least squares.',
      "The recorder's clock skips to just before the next hour every few minutes (an outage), so hour folders are added",
      'during the run; "settled" is the time from the end of the churn until the daemon\'s coverage series (the per-hour gauges)',
      'equal, exactly, those of a fresh `--run-once --textfile` of the same store (polled every 0.5 s once that',
      "run-once has finished, so it includes the run-once's own time).",
    ].join('\n');
    console.log(`\n${section}`);
    if (WRITE_RESULTS) writeSection(section);
    if (rssSlope > 0.1) console.error(`soak: RSS slope ${f3(rssSlope)} MiB/min is above the 0.1 MiB/min target`);
    return ok ? 0 : 1;
  } finally {
    if (daemon !== undefined) await daemon.stop('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
