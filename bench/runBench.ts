/**
 * `npm run bench`: how segcov's cost grows with the store, side by side with `find`.
 *
 *   growth table, 24 / 168 / 720 h × 1800 segments (1 quality):
 *     cold --run-once against `find BASE -name '*.ts'` (wall and CPU, medians of RUNS, interleaved),
 *     time to /readyz and RSS of the daemon, its CPU over IDLE_S seconds of no change,
 *     and its CPU per new segment (after 20 warm-up segments into a new hour, WINDOWS (5)
 *     windows of 200 written at 20/s, idle subtracted: the median window, all windows beside it;
 *     each window's CPU summed from the threads' schedstat clocks, not 10 ms ticks)
 *   cold --run-once on 4 × 168 h × 1800 against find
 *   start-up: ms from process start to the first pass (the first readdir follows at once)
 *
 * CPU is read from /proc (utime + stime), not wall time: this machine is shared with other
 * sessions. The load average is printed with every figure. Stores come from bench/stores.ts.
 * Results go to stdout and, without --quick, to bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BLUE, ORANGE, WHITE, type CoverageMap, type PixelClass } from '../src/coverage/mapPixels.js';
import { MapRaster, renderMapPng } from '../src/outputs/files/mapPng.js';
import { mapFileName } from '../src/store/layout.js';
import { formatHourName } from '../src/store/hourName.js';
import { cpuSeconds, freePort, loadAverage, median, peakRssKiB, percentile, sleep, threadCpu, timeCommand } from './measure.js';
import { CACHE, FIRST_HOUR, REPO, ensureStore, recordSegment, type BenchStore, FOUR_QUALITIES } from './stores.js';

const BIN = path.join(REPO, 'bin', 'segcov.js');
const QUICK = process.argv.includes('--quick');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 60);
const NEW_SEGMENTS = 200;
/** The measured segments come one every 50 ms: 20 a second, each 2 s long (one map pixel). */
const NEW_PER_SECOND = 20;
/** Segments written before the measured ones (the new hour's one-off costs, code warmed after idling). */
const WARMUP_SEGMENTS = 20;
/** Windows of NEW_SEGMENTS measured one after the other; the median is the figure. */
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 5);
const LATENCY_SEGMENTS = 40;
/** Seconds after the catch-up pass at which the steady-state idle minute starts (V8's memory reducer runs ~90 s after the last GC). */
const STEADY_S = Number(process.env.BENCH_STEADY_S ?? 120);
const lines: string[] = [];
const say = (s: string): void => {
  console.log(s);
  lines.push(s);
};
/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - (f[4] ?? 0), total };
}
const s2 = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface Cold {
  findWall: number;
  findCpu: number;
  floorWall: number;
  wall: number;
  cpu: number;
  rssMiB: number;
}

/** bench/floor.ts: listing and per-hour analysis alone, in Node, on one thread. */
const FLOOR = path.join(REPO, 'dist', 'bench', 'floor.js');

/** --run-once, find and the Node floor, interleaved, RUNS times each: medians. */
async function coldRuns(store: BenchStore): Promise<Cold> {
  const f: { wall: number; cpu: number }[] = [];
  const floor: number[] = [];
  const s: { wall: number; cpu: number; rss: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const fr = await timeCommand('find', [store.base, '-name', '*.ts']);
    f.push({ wall: fr.wallMs, cpu: fr.cpuMs ?? NaN });
    const fl = await timeCommand(process.execPath, [FLOOR, ...store.qualities.map((q) => path.join(store.base, 'bench', q))]);
    if (fl.code !== 0) throw new Error(`bench/floor.js exited ${fl.code}`);
    floor.push(fl.wallMs);
    const r = await timeCommand(process.execPath, [
      BIN,
      'bench',
      '--base-dir',
      store.base,
      '--qualities',
      store.qualities.join(','),
      '--run-once',
      '--metrics-port',
      '0',
      '--log-level',
      'error',
      '--output-dir',
      path.join(CACHE, `${store.name}-maps`),
    ]);
    if (r.code !== 0) throw new Error(`segcov --run-once exited ${r.code}`);
    s.push({ wall: r.wallMs, cpu: r.cpuMs ?? NaN, rss: r.peakRssKiB ?? NaN });
  }
  return {
    findWall: median(f.map((x) => x.wall)),
    findCpu: median(f.map((x) => x.cpu)),
    floorWall: median(floor),
    wall: median(s.map((x) => x.wall)),
    cpu: median(s.map((x) => x.cpu)),
    rssMiB: Math.max(...s.map((x) => x.rss)) / 1024,
  };
}

/** Milliseconds from process start to the first pass, from the daemon's own debug line (median of RUNS). */
async function startupMs(store: BenchStore): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'bench',
        '--base-dir',
        store.base,
        '--run-once',
        '--metrics-port',
        '0',
        '--log-level',
        'debug',
        '--output-dir',
        path.join(CACHE, 'startup-maps'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await new Promise((r) => child.on('close', r));
    const m = /"startupMs":(\d+)/.exec(err);
    if (m !== null) out.push(Number(m[1]));
  }
  return median(out);
}

async function metricsText(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

interface Live {
  latency: { p50: number; p95: number; max: number };
  complete: boolean;
  readyMs: number;
  readyRssMiB: number;
  /** CPU seconds a minute: the first minute after the catch-up pass, and a minute from STEADY_S after it. */
  idleFirstS: number;
  idleSteadyS: number;
  perSegmentMs: number;
  windowsMs: number[] /** Windows measured in /proc/PID/stat ticks because a thread ended in them. */;
  tickWindows: number;
  mapWrites: number;
  encodeMs: number;
  peakRssMiB: number;
  loadDuring: string;
}

/**
 * CPU (ms, this process, all threads) of one redraw of the map in `file` as the daemon
 * redraws it once a second while segments arrive at the bench's pace: the image is kept
 * (MapRaster), then each redraw turns the next NEW_PER_SECOND white pixels after the
 * newest blue one blue, and encodes. Median of 10, after one warm-up.
 */
async function encodeCpuMs(file: string): Promise<number> {
  const sharp = (await import('sharp')).default; // a test and bench dependency only: the decoder
  const { data, info } = await sharp(readFileSync(file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(info.width * info.height);
  for (let x = 0, p = 0; x < info.width; x++) {
    for (let y = 0; y < info.height; y++, p++) {
      const o = (y * info.width + x) * 3;
      const cls: PixelClass = data[o] === 0xff && data[o + 1] === 0xff ? WHITE : data[o] === 0xff ? ORANGE : BLUE;
      pixels[p] = cls;
    }
  }
  const map: CoverageMap = { width: info.width, height: info.height, origin: 0, hours: info.width / 6, pixels };
  const raster = new MapRaster();
  await renderMapPng(map, raster);
  let next = pixels.lastIndexOf(BLUE) + 1;
  const ms: number[] = [];
  for (let i = 0; i < 11; i++) {
    pixels.fill(BLUE, next, Math.min(pixels.length, next + NEW_PER_SECOND));
    next += NEW_PER_SECOND;
    const c0 = process.cpuUsage();
    await renderMapPng(map, raster);
    const c = process.cpuUsage(c0);
    if (i > 0) ms.push((c.user + c.system) / 1000);
  }
  return median(ms);
}

/** A live daemon on the store: ready time, idle CPU, CPU per new segment, RSS. */
async function live(store: BenchStore): Promise<Live> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const hour = formatHourName(FIRST_HOUR + store.hours * 3_600_000_000);
  const dir = path.join(store.base, 'bench', 'source', hour);
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
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
      path.join(CACHE, `${store.name}-live-maps`),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const pid = child.pid as number;
  try {
    let readyMs = NaN;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/readyz`)).status === 200) {
          readyMs = performance.now() - t0;
          break;
        }
      } catch {
        /* starting */
      }
      if (i > 3000) throw new Error('daemon not ready');
      await sleep(20);
    }
    const readyRss = peakRssKiB(pid);
    // the watcher's catch-up pass (the second pass) ends the start-up
    for (let i = 0; !/segcov_passes_total\{channel="bench",quality="source"\} [2-9]/.test(await metricsText(url)); i++) {
      if (i > 600) throw new Error('no catch-up pass');
      await sleep(100);
    }
    const caughtUp = performance.now();
    mkdirSync(dir, { recursive: true });
    await sleep(2000); // the live update of the new (empty) hour folder
    // idle, first minute: right after start-up (V8 still collects start-up garbage, and its
    // memory reducer compacts the heap ~90 s after the last GC)
    const c0 = cpuSeconds(pid);
    await sleep(IDLE_S * 1000);
    const idleFirst = cpuSeconds(pid) - c0;
    // idle, steady state: from STEADY_S after the catch-up pass
    await sleep(Math.max(0, caughtUp + STEADY_S * 1000 - performance.now()));
    const cs = cpuSeconds(pid);
    await sleep(IDLE_S * 1000);
    const idle = cpuSeconds(pid) - cs;
    const loadIdle = loadAverage();

    let seq = 0;
    const write = (): void => recordSegment(dir, seq++, 'L');
    const countRe = new RegExp(`segment_count\\{channel="bench",hour="${hour}",quality="source",type="full"\\} (\\d+)`);
    const count = async (): Promise<number> => Number(countRe.exec(await metricsText(url))?.[1] ?? 0);
    // CPU per new segment, right after the steady idle minute (before the latency phase: its
    // ~40 scrapes leave tens of MB of garbage on a big store, whose collection would otherwise
    // land in these seconds and be charged to the segments)
    const mapFile = path.join(CACHE, `${store.name}-live-maps`, mapFileName('bench', 'source'));
    const mapInodes = new Set<number>();
    const seeMap = (): void => {
      try {
        mapInodes.add(statSync(mapFile).ino);
      } catch {
        /* between writes */
      }
    };
    // warm-up, not counted: the first segments open the new hour (its folder is watched, the map
    // gains a column, the hour's series appear: once an hour, not per segment) and bring the
    // update code back from minutes of idleness; no scrapes, so no scrape garbage either
    for (let i = 0; i < WARMUP_SEGMENTS; i++) {
      write();
      await sleep(50);
    }
    await sleep(3000);
    seeMap();
    // WINDOWS windows of NEW_SEGMENTS each, back to back into the same hour: the median
    // window is the figure (one window alone moves by a fifth with where V8's background
    // compiles and collections happen to land); all of them are printed beside it
    const windows: number[] = [];
    let tickWindows = 0;
    for (let w = 0; w < WINDOWS; w++) {
      const c1 = cpuSeconds(pid);
      const s1 = threadCpu(pid);
      const t1 = performance.now();
      for (let i = 0; i < NEW_SEGMENTS; i++) {
        write();
        seeMap(); // each map write renames a new file into place: a new inode
        await sleep(50);
      }
      // no scraping while measuring (a scrape of a big store costs more than an update)
      for (let i = 0; i < 50; i++) {
        await sleep(50);
        seeMap();
      } // the last update and the last throttled map write
      // the threads' own clocks (ns), unless a thread ended in the window: then /proc/PID/stat's 10 ms ticks
      const s2 = threadCpu(pid);
      const lost = [...s1.tids].some((t) => !s2.tids.has(t));
      if (lost) tickWindows++;
      const busy = lost ? cpuSeconds(pid) - c1 : s2.seconds - s1.seconds;
      const used = busy - (idle / IDLE_S) * ((performance.now() - t1) / 1000);
      windows.push((used / NEW_SEGMENTS) * 1000);
    }
    const mapWrites = Math.round((mapInodes.size - 1) / WINDOWS);
    // latency, after the CPU figure: file renamed into place → /metrics shows it (polled every 20 ms), at recording pace
    const lat: number[] = [];
    for (let i = 0; i < LATENCY_SEGMENTS; i++) {
      const t = performance.now();
      write();
      while ((await count()) < seq) {
        if (performance.now() - t > 10_000) throw new Error('a segment did not show within 10 s');
        await sleep(50);
      }
      lat.push(performance.now() - t);
      await sleep(Math.max(0, 500 - (performance.now() - t)));
    }
    await sleep(3000);

    // then every segment must show on /metrics (which may serve a render up to a second old: poll)
    let complete = false;
    for (const end = performance.now() + 10_000; !complete && performance.now() < end; await sleep(200)) complete = (await count()) === seq;
    return {
      latency: { p50: percentile(lat, 50), p95: percentile(lat, 95), max: Math.max(...lat) },
      readyMs,
      readyRssMiB: readyRss / 1024,
      idleFirstS: (idleFirst / IDLE_S) * 60,
      idleSteadyS: (idle / IDLE_S) * 60,
      perSegmentMs: median(windows),
      windowsMs: windows,
      tickWindows,
      mapWrites,
      encodeMs: await encodeCpuMs(mapFile),
      complete,
      peakRssMiB: peakRssKiB(pid) / 1024,
      loadDuring: `${loadIdle} / ${loadAverage()}`,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sections other benches wrote into RESULTS.md (`npm run bench:http`): kept as they are. */
function otherSections(file: string): string {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const mine = ['## Growth', '## Cold', '## How measured', '## Where the cost goes'];
  const kept = old
    .split(/\n(?=## )/)
    .slice(1)
    .filter((sec) => !mine.some((m) => sec.startsWith(m)));
  return kept.length === 0 ? '' : `\n${kept.map((sec) => sec.trimEnd()).join('\n\n')}\n`;
}

async function run(): Promise<void> {
  say(
    `# segcov benchmark\n\n${new Date().toISOString()}, node ${process.version}, ${RUNS} runs each, stores in ${CACHE}, load average at start ${loadAverage()}\n`,
  );
  const j0 = machineJiffies();
  const hours = process.env.BENCH_HOURS !== undefined ? process.env.BENCH_HOURS.split(',').map(Number) : QUICK ? [24, 168] : [24, 168, 720];
  const stores = hours.map((h) => ensureStore(h, ['source']));
  const four = QUICK ? null : ensureStore(168, FOUR_QUALITIES);

  say('## Growth (1 quality, h × 1800 segments)\n');
  say(
    '| store | find wall / CPU | Node floor: list + analyse (ratio) | --run-once wall / CPU | ratio wall / CPU | run-once peak RSS | daemon ready (/readyz) | RSS at ready / peak | idle CPU a minute: first / steady | CPU per new segment: median (windows) | of which map encodes | without them | latency p50 / p95 / max | load avg (idle / after) |',
  );
  say('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const st of stores) {
    const c = await coldRuns(st);
    const l = await live(st);
    say(
      `| ${st.hours} h | ${s2(c.findWall)} / ${s2(c.findCpu)} | ${s2(c.floorWall)} (${(c.floorWall / c.findWall).toFixed(2)}×) | ${s2(c.wall)} / ${s2(c.cpu)} | ${(c.wall / c.findWall).toFixed(2)}× / ${(c.cpu / c.findCpu).toFixed(2)}× | ${c.rssMiB.toFixed(0)} MiB | ${s2(l.readyMs)} | ${l.readyRssMiB.toFixed(0)} / ${l.peakRssMiB.toFixed(0)} MiB | ${l.idleFirstS.toFixed(3)} / ${l.idleSteadyS.toFixed(3)} s | ${l.perSegmentMs.toFixed(2)} ms (${l.windowsMs.map((w) => w.toFixed(2)).join(' / ')})${l.tickWindows > 0 ? ` (${l.tickWindows} in 10 ms ticks: a thread ended)` : ''}${l.complete ? '' : ' (not all counted yet!)'} | ${l.mapWrites} × ${l.encodeMs.toFixed(1)} ms = ${((l.mapWrites * l.encodeMs) / NEW_SEGMENTS).toFixed(2)} ms | ${(l.perSegmentMs - (l.mapWrites * l.encodeMs) / NEW_SEGMENTS).toFixed(2)} ms | ${l.latency.p50.toFixed(0)} / ${l.latency.p95.toFixed(0)} / ${l.latency.max.toFixed(0)} ms | ${l.loadDuring} |`,
    );
  }
  if (four !== null) {
    say('\n## Cold --run-once, 4 qualities × 168 h × 1800\n');
    say(
      '| store | find wall / CPU | Node floor: list + analyse (ratio) | --run-once wall / CPU | ratio wall / CPU | peak RSS | load avg |',
    );
    say('|---|---|---|---|---|---|---|');
    const c = await coldRuns(four);
    say(
      `| 4 × 168 h | ${s2(c.findWall)} / ${s2(c.findCpu)} | ${s2(c.floorWall)} (${(c.floorWall / c.findWall).toFixed(2)}×) | ${s2(c.wall)} / ${s2(c.cpu)} | ${(c.wall / c.findWall).toFixed(2)}× / ${(c.cpu / c.findCpu).toFixed(2)}× | ${c.rssMiB.toFixed(0)} MiB | ${loadAverage()} |`,
    );
  }
  const j1 = machineJiffies();
  say(
    `\nThe machine (2 cores, shared with other sessions) was ${(((j1.busy - j0.busy) / (j1.total - j0.total)) * 100).toFixed(0)} % busy over the whole run, this bench included.`,
  );
  say(
    `\nStart-up, process start → first pass (first readdir), 168 h store, median of ${RUNS}: ${(await startupMs(ensureStore(168, ['source']))).toFixed(0)} ms (load ${loadAverage()})`,
  );
  if (!QUICK) {
    const method = readFileSync(path.join(REPO, 'bench', 'METHOD.md'), 'utf8');
    const file = path.join(REPO, 'bench', 'RESULTS.md');
    writeFileSync(file, `${lines.join('\n')}\n\n${method}${otherSections(file)}`);
  }
}

await run();
