/**
 * `node dist/bench/liveProfile.js [HOURS]` (default 720): where a live daemon's CPU goes.
 *
 * Runs the daemon on a bench store (bench/stores.ts) under `--cpu-prof`, through the same
 * phases as the growth bench: ready, catch-up pass, PROF_SETTLE_S (20) s settle, PROF_IDLE_S
 * (60) s of nothing changing, then into a new hour PROF_WARMUP (20) segments and 3 s, then
 * 200 new segments at 20 a second and 2.5 s more (PROF_ROUNDS times, each into the next new
 * hour; with PROF_SAME_HOUR=1 all into the first, as the growth bench's windows). Then
 * SIGTERM (the daemon exits normally, so V8 writes the profile) and prints, per phase, the
 * self time of the top functions (V8's profile samples, timestamps on the same monotonic
 * clock as this process' `process.hrtime`) beside the daemon's CPU from /proc by
 * thread, which also counts the threads the profile does not see (the thread pool, V8's
 * compiler and GC helpers).
 * With PROF_STRACE=1 the idle phase is also counted by `strace -f -c` (syscalls and wake-ups);
 * with PROF_STRACE=round, the rounds of new segments from PROF_TRACE_FROM (0) on are; with
 * PROF_PERF=round, `perf record` samples every thread of them instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { formatHourName } from '../src/store/hourName.js';
import { cpuSeconds, freePort, loadAverage, sleep } from './measure.js';
import { CACHE, FIRST_HOUR, REPO, ensureStore, recordSegment } from './stores.js';

const HOURS = Number(process.argv[2] ?? 720);
const SETTLE_S = Number(process.env.PROF_SETTLE_S ?? 20);
const IDLE_S = Number(process.env.PROF_IDLE_S ?? 60);
const TOP = Number(process.env.PROF_TOP ?? 25);
/** PROF_ROUNDS (1): rounds of 200 new segments, each into a new hour (unless PROF_SAME_HOUR), 3 s apart (repeat to see the noise). */
const ROUNDS = Number(process.env.PROF_ROUNDS ?? 1);
/** PROF_TRACE_FROM (0): with PROF_STRACE=round or PROF_PERF=round, the round (from 0) from which to the last one is traced. */
const TRACE_FROM = Number(process.env.PROF_TRACE_FROM ?? 0);
/** PROF_WARMUP (20, as the growth bench): segments written into each round's new hour, and 3 s, before its 200 are counted. */
const WARMUP = Number(process.env.PROF_WARMUP ?? 20);
/** PROF_SAME_HOUR=1: every round into the first new hour, one warm-up only (as the growth bench's windows), not each into a new hour. */
const SAME_HOUR = process.env.PROF_SAME_HOUR === '1';
/** PROF_LATENCY (0): segments written one by one before the rounds, each waited for on /metrics, as the growth bench's latency phase. */
const LATENCY = Number(process.env.PROF_LATENCY ?? 0);
/** PROF_NODE_ARGS: more node options for the daemon (e.g. V8 heap flags), space-separated. */
const NODE_ARGS = (process.env.PROF_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
/** PROF_DAEMON_ARGS: more segcov flags (e.g. `--concurrency 2`), space-separated. */
const DAEMON_ARGS = (process.env.PROF_DAEMON_ARGS ?? '').split(' ').filter((a) => a !== '');
const BIN = path.join(REPO, 'bin', 'segcov.js');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * CPU seconds by thread (main thread, libuv pool, V8 helpers, libvips …) of a process, from
 * /proc: each thread's schedstat (nanoseconds on the CPU, not 10 ms ticks). Threads that
 * ended are not counted (libvips' workers come and go: they add to no thread then).
 */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const name = tid === String(pid) ? 'main' : comm.startsWith('libvips') ? comm : `${comm}#${Number(tid) - pid}`;
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      out.set(name, (out.get(name) ?? 0) + ns / 1e9);
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

function threadDiff(a: Map<string, number>, b: Map<string, number>): string {
  return [...b.entries()]
    .map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${(v * 1000).toFixed(1)} ms`)
    .join(', ');
}

const PROFILE = process.env.PROF_CPU !== '0';
/** PROF_TRACE_GC=1: the daemon runs with --trace-gc; its GCs are counted per phase. */
const TRACE_GC = process.env.PROF_TRACE_GC === '1';

/** GCs (from --trace-gc lines, timed from the isolate's start ≈ the spawn; stdout is block-buffered) within [from, to) µs: counts and main-thread ms by kind. */
function gcSummary(lines: readonly string[], spawnedAt: number, from: number, to: number): string {
  const by = new Map<string, { n: number; ms: number }>();
  for (const line of lines) {
    const m = /ms: ([A-Za-z-]+(?: \(reduce\))?) .*?MB, ([\d.]+) \/ /.exec(line);
    const at = spawnedAt + Number(/\]\s+(\d+) ms:/.exec(line)?.[1] ?? NaN) * 1000;
    if (m === null || !(at >= from && at < to)) continue;
    const e = by.get(m[1]) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += Number(m[2]);
    by.set(m[1], e);
  }
  return by.size === 0 ? 'no GC' : [...by.entries()].map(([k, v]) => `${v.n} × ${k} (${v.ms.toFixed(1)} ms)`).join(', ');
}

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Self time (ms) by function over [from, to) µs, the top `n`, plus the total sampled. */
function selfTimes(p: Profile, from: number, to: number, n: number): { total: number; top: [string, number][] } {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1] : 0;
    if (t < from || t >= to) continue;
    const node = byId.get(p.samples[i]);
    if (node === undefined) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') continue;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt / 1000);
    total += dt / 1000;
  }
  return { total, top: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n) };
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

async function main(): Promise<void> {
  const store = ensureStore(HOURS, ['source']);
  const profDir = mkdtempSync(path.join(CACHE, '..', 'segcov-prof-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // round r writes into the r-th hour after the store's last
  const dirs = Array.from({ length: ROUNDS }, (_, r) =>
    path.join(store.base, 'bench', 'source', formatHourName(FIRST_HOUR + (store.hours + r) * 3_600_000_000)),
  );
  const dir = dirs[0];
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const spawnedAt = nowUs();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      ...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
      ...(TRACE_GC ? ['--trace-gc'] : []),
      BIN,
      'bench',
      '--base-dir',
      store.base,
      '--metrics-port',
      String(port),
      '--metrics-host',
      '127.0.0.1',
      '--log-level',
      'warn',
      '--output-dir',
      path.join(CACHE, `${store.name}-prof-maps`),
      ...DAEMON_ARGS,
    ],
    { stdio: ['ignore', TRACE_GC ? 'pipe' : 'ignore', 'ignore'] },
  );
  const pid = child.pid as number;
  const gcLines: string[] = [];
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    gcLines.push(...parts);
  });
  /** PROF_STDOUT=FILE (with PROF_TRACE_GC=1): the daemon's whole stdout is also kept there (e.g. with PROF_NODE_ARGS=--trace-deopt, the deopts between the GC lines that time them). */
  if (process.env.PROF_STDOUT !== undefined) child.stdout?.pipe(createWriteStream(process.env.PROF_STDOUT));
  const marks: { name: string; from: number; to: number; cpu: number; threads: string }[] = [];
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/readyz`)).status === 200) break;
      } catch {
        /* starting */
      }
      if (i > 3000) throw new Error('daemon not ready');
      await sleep(20);
    }
    const tReady = nowUs();
    for (let i = 0; !/segcov_passes_total\{channel="bench",quality="source"\} [2-9]/.test(await metrics(url)); i++) {
      if (i > 600) throw new Error('no catch-up pass');
      await sleep(100);
    }
    mkdirSync(dir, { recursive: true });
    const tCaught = nowUs();
    let c = cpuSeconds(pid);
    let th = threadCpu(pid);
    const phase = async (name: string, body: () => Promise<void>): Promise<void> => {
      const from = nowUs();
      await body();
      const c1 = cpuSeconds(pid);
      const th1 = threadCpu(pid);
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      marks.push({
        name,
        from,
        to: nowUs(),
        cpu: c1 - c,
        threads: `${threadDiff(th, th1)}; RSS after ${(Number(rss) / 1024).toFixed(0)} MiB`,
      });
      c = c1;
      th = th1;
    };
    marks.push({ name: 'start-up to ready', from: 0, to: tReady, cpu: NaN, threads: '' });
    marks.push({ name: 'ready to catch-up pass done', from: tReady, to: tCaught, cpu: NaN, threads: '' });
    await phase(`settle ${SETTLE_S} s`, () => sleep(SETTLE_S * 1000));
    /** strace or perf, attached to the daemon while it runs. */
    let tracer: ChildProcess | null = null;
    const straceOut = path.join(profDir, 'strace.txt');
    const traceRound = process.env.PROF_STRACE === 'round' || process.env.PROF_PERF === 'round';
    /** PROF_PERF=round: `perf record` samples every thread over the traced rounds instead (kept at /tmp/segcov-perf-HOURS.data for `perf report`). */
    const perfOut = `/tmp/segcov-perf-${HOURS}.data`;
    const traceWithPerf = process.env.PROF_PERF === 'round';
    const startTracer = (): ChildProcess =>
      traceWithPerf
        ? spawn('perf', ['record', '-F', '997', '-g', '-o', perfOut, '-p', String(pid)], { stdio: 'ignore' })
        : spawn('strace', ['-f', '-c', '-o', straceOut, '-p', String(pid)], { stdio: 'ignore' });
    /** Stops the tracer; it writes its report as it ends. */
    const stopTracer = async (t: ChildProcess): Promise<void> => {
      t.kill('SIGINT');
      await new Promise((r) => t.on('close', r));
    };
    if (process.env.PROF_STRACE === '1') tracer = startTracer();
    await phase(`idle ${IDLE_S} s`, () => sleep(IDLE_S * 1000));
    if (tracer !== null) await stopTracer(tracer);
    let seq = 0;
    if (LATENCY > 0) {
      // as the growth bench does before its 200: segments one by one, /metrics polled (every 50 ms) until each shows
      const countRe = new RegExp(`segment_count\\{channel="bench",hour="${path.basename(dir)}",quality="source",type="full"\\} (\\d+)`);
      await phase(`${LATENCY} segments, each polled on /metrics + 3 s`, async () => {
        for (let i = 0; i < LATENCY; i++) {
          const t = performance.now();
          recordSegment(dir, seq++, 'P');
          while (Number(countRe.exec(await metrics(url))?.[1] ?? 0) < seq) await sleep(50);
          await sleep(Math.max(0, 500 - (performance.now() - t)));
        }
        await sleep(3000);
      });
    }
    for (let r = 0; r < ROUNDS; r++) {
      const into = SAME_HOUR ? dir : dirs[r];
      if (r > 0 && !SAME_HOUR) {
        mkdirSync(into, { recursive: true });
        await phase('new hour folder + 3 s', () => sleep(3000));
      }
      const write = (): void => recordSegment(into, seq++, 'P');
      if (WARMUP > 0 && (r === 0 || !SAME_HOUR)) {
        // as the growth bench: the hour's first segments (the map grows a column, the hour's series appear) apart
        await phase(`${ROUNDS > 1 ? `round ${r + 1}: ` : ''}warm-up, ${WARMUP} segments + 3 s`, async () => {
          for (let i = 0; i < WARMUP; i++) {
            write();
            await sleep(50);
          }
          await sleep(3000);
        });
      }
      if (traceRound && r === TRACE_FROM) tracer = startTracer();
      await phase(`${ROUNDS > 1 ? `round ${r + 1}: ` : ''}200 new segments at 20/s + 2.5 s`, async () => {
        for (let i = 0; i < 200; i++) {
          write();
          await sleep(50);
        }
        await sleep(2500);
      });
      if (traceRound && r === ROUNDS - 1 && tracer !== null) await stopTracer(tracer);
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    console.log(`# live daemon, ${HOURS} h × 1800, load ${loadAverage()}${PROFILE ? '' : ', no profiler'}`);
    for (const m of marks) {
      if (m.threads !== '') console.log(`${m.name}: process CPU ${(m.cpu * 1000).toFixed(0)} ms; by thread: ${m.threads}`);
      if (TRACE_GC) console.log(`  ${m.name}: ${gcSummary(gcLines, spawnedAt, m.from === 0 ? spawnedAt : m.from, m.to)}`);
    }
    if (process.env.PROF_GC_LINES === '1') console.log(gcLines.join('\n'));
    if (tracer !== null && traceWithPerf) console.log(`perf samples of the traced rounds: perf report -i ${perfOut}`);
    else if (tracer !== null && !PROFILE)
      console.log(`\n## strace -f -c over the ${traceRound ? 'traced rounds' : 'idle phase'}\n${readFileSync(straceOut, 'utf8')}`);
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!PROFILE || file === undefined) return;
    const prof = JSON.parse(readFileSync(path.join(profDir, file), 'utf8')) as Profile;
    console.log(`profile ${path.join(profDir, file)}`);
    for (const m of marks) {
      const from = m.from === 0 ? prof.startTime : m.from;
      const s = selfTimes(prof, from, m.to, TOP);
      console.log(
        `\n## ${m.name}: ${((m.to - from) / 1e6).toFixed(1)} s wall, main thread sampled busy ${s.total.toFixed(0)} ms, process CPU (/proc) ${Number.isFinite(m.cpu) ? `${(m.cpu * 1000).toFixed(0)} ms` : 'n/a'}`,
      );
      for (const [k, v] of s.top) if (v >= 0.5) console.log(`${v.toFixed(1).padStart(8)} ms  ${k}`);
    }
    if (tracer !== null && !traceWithPerf)
      console.log(`\n## strace -f -c over the ${traceRound ? 'traced rounds' : 'idle phase'}\n${readFileSync(straceOut, 'utf8')}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (!PROFILE) rmSync(profDir, { recursive: true, force: true });
  }
}

await main();
