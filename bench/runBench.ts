/**
 * `npm run bench`: the figures of the live-coverage issue, measured on generated stores.
 *
 *   cold --run-once wall time vs `find BASE -name '*.ts'` (median of RUNS, interleaved)
 *   peak RSS of --run-once on the 1.2 million file store
 *   live latency: file created → /metrics shows it (p50, p95, max)
 *   CPU seconds over a minute of no changes, and per new segment
 *
 * Stores are generated once and cached in SEGCOV_BENCH_DIR (default /dev/shm/segcov-bench:
 * creating a million files on this machine's disk takes ~20 minutes, on tmpfs ~40 s).
 * Results are printed and written to bench/RESULTS.md. `--quick` skips the big store.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDemoStore } from '../src/demo/demoStore.js';
import { formatSegmentName } from '../src/store/segmentName.js';
import { cpuSeconds, median, peakRssKiB, percentile, sleep, timeCommand } from './measure.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin', 'segcov.js');
const CACHE = process.env.SEGCOV_BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm/segcov-bench' : path.join(REPO, 'bench', '.cache'));
const QUICK = process.argv.includes('--quick');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FIRST_HOUR = Date.UTC(2026, 9, 1) * 1000;
const HOURS = 168;
const lines: string[] = [];
const say = (s: string): void => { console.log(s); lines.push(s); };

function ensureStore(name: string, qualities: string[]): string {
  const base = path.join(CACHE, name);
  const marker = path.join(base, '.complete-v1');
  if (existsSync(marker)) return base;
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const t0 = performance.now();
  const files = writeDemoStore({
    base, channel: 'bench', qualities, firstHour: FIRST_HOUR, hours: HOURS, seed: 5,
    onHour: (d, t) => { if (d % 56 === 0) process.stderr.write(`  generating ${name}: ${d}/${t} hour folders\n`); },
  });
  writeFileSync(marker, String(files));
  console.error(`  generated ${name}: ${files} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return base;
}

async function coldRuns(name: string, base: string, qualities: string[]): Promise<void> {
  const find: number[] = [];
  const segcov: number[] = [];
  const rss: number[] = [];
  const out = path.join(CACHE, `${name}.prom`);
  for (let i = 0; i < RUNS; i++) {
    find.push((await timeCommand('find', [base, '-name', '*.ts'])).wallMs);
    const r = await timeCommand(process.execPath, [BIN, 'bench', '--base-dir', base, '--qualities', qualities.join(','),
      '--run-once', '--metrics-port', '0', '--log-level', 'warn', '--textfile', out, '--output-dir', path.join(CACHE, `${name}-maps`)]);
    if (r.code !== 0) throw new Error(`segcov --run-once exited ${r.code}`);
    segcov.push(r.wallMs);
    if (r.peakRssKiB !== null) rss.push(r.peakRssKiB);
  }
  const f = median(find);
  const s = median(segcov);
  say(`| ${name} | ${(f / 1000).toFixed(2)} s | ${(s / 1000).toFixed(2)} s | ${(s / f).toFixed(2)}× | ${rss.length ? `${(Math.max(...rss) / 1024).toFixed(0)} MiB` : 'n/a'} |`);
}

async function scrapeCount(url: string, hour: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`segment_count\\{channel="bench",hour="${hour}",quality="source",type="full"\\} (\\d+)`).exec(text);
  return m === null ? 0 : Number(m[1]);
}

async function live(base: string): Promise<void> {
  const port = 18000 + Math.floor(Math.random() * 1000);
  const url = `http://127.0.0.1:${port}`;
  const hourStart = FIRST_HOUR + HOURS * 3_600_000_000;
  const hour = new Date(hourStart / 1000).toISOString().slice(0, 13);
  const dir = path.join(base, 'bench', 'source', hour);
  rmSync(dir, { recursive: true, force: true });
  const child = spawn(process.execPath, [BIN, 'bench', '--base-dir', base, '--metrics-port', String(port), '--metrics-host', '127.0.0.1',
    '--log-level', 'warn', '--output-dir', path.join(CACHE, 'live-maps')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid as number;
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${url}/readyz`)).status === 200) break; } catch { /* starting */ }
      if (i > 600) throw new Error('daemon not ready');
      await sleep(100);
    }
    await sleep(3000); // the watcher's catch-up pass
    const startupRss = peakRssKiB(pid);
    let seq = 0;
    const write = (): void => {
      const name = formatSegmentName(seq * 2_000_000, 2_000_000, 'full', `L${String(seq).padStart(7, '0')}`);
      const tmp = path.join(dir, `.${name}.part`);
      writeFileSync(tmp, '');
      renameSync(tmp, path.join(dir, name));
      seq++;
    };
    mkdirSync(dir, { recursive: true });
    await sleep(500);
    // latency: at recording pace (one segment every 500 ms: four qualities' worth), then bursts
    const lat: number[] = [];
    const waitSeen = async (want: number, t0: number, out: number[], from: number): Promise<void> => {
      let seen = from;
      while (seen < want) {
        const c = await scrapeCount(url, hour);
        const now = performance.now();
        for (let k = seen; k < Math.min(c, want); k++) out.push(now - t0);
        seen = Math.max(seen, c);
        if (now - t0 > 10_000) throw new Error('a segment did not show within 10 s');
        if (seen < want) await sleep(10);
      }
    };
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      write();
      await waitSeen(seq, t0, lat, seq - 1);
      await sleep(Math.max(0, 500 - (performance.now() - t0)));
    }
    for (let b = 0; b < 4; b++) {
      const t0 = performance.now();
      const before = seq;
      for (let i = 0; i < 50; i++) write();
      await waitSeen(seq, t0, lat, before);
      await sleep(1000);
    }
    say(`| live latency, ${lat.length} segments (100 at pace, 4 bursts of 50) | p50 ${percentile(lat, 50).toFixed(0)} ms | p95 ${percentile(lat, 95).toFixed(0)} ms | max ${Math.max(...lat).toFixed(0)} ms |`);

    await sleep(3000);
    const c0 = cpuSeconds(pid);
    await sleep(60_000);
    const idle = cpuSeconds(pid) - c0;
    say(`| CPU over 60 s with no changes | ${idle.toFixed(2)} s | | |`);

    const n = 200;
    const c1 = cpuSeconds(pid);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) { write(); await sleep(50); }
    while ((await scrapeCount(url, hour)) < seq) await sleep(200);
    await sleep(1000);
    const used = cpuSeconds(pid) - c1 - (idle / 60) * ((performance.now() - t1) / 1000);
    say(`| CPU per new segment (${n} at 20/s, idle subtracted) | ${((used / n) * 1000).toFixed(2)} ms | | |`);
    say(`| daemon peak RSS (live, 300k store, after start-up / at end) | ${(startupRss / 1024).toFixed(0)} MiB | ${(peakRssKiB(pid) / 1024).toFixed(0)} MiB | |`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('close', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(): Promise<void> {
  say(`# segcov benchmark\n\n${new Date().toISOString()}, node ${process.version}, ${RUNS} runs each, stores in ${CACHE}\n`);
  const one = ensureStore('one-quality', ['source']);
  const four = QUICK ? null : ensureStore('four-qualities', ['source', '480p', '720p', '360p']);
  say('| store | find (median) | segcov --run-once (median) | ratio | peak RSS |');
  say('|---|---|---|---|---|');
  await coldRuns('168 h × 1800, 1 quality', one, ['source']);
  if (four !== null) await coldRuns('168 h × 1800, 4 qualities', four, ['source', '480p', '720p', '360p']);
  say('\n| live (1 quality store) | | | |');
  say('|---|---|---|---|');
  await live(one);
  if (!QUICK) {
    // keep the sections other benches write (`npm run bench:http`)
    const file = path.join(REPO, 'bench', 'RESULTS.md');
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const others = old.indexOf('\n## ') < 0 ? '' : `\n${old.slice(old.indexOf('\n## ') + 1)}`;
    writeFileSync(file, `${lines.join('\n')}\n${others}`);
  }
}

await run();
