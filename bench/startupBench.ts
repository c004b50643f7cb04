import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { median } from './measure.js';
import { REPO, ensureStore } from './stores.js';

/**
 * `npm run bench:startup`: start-up to the first pass (issue 12: ≤ 150 ms to the first
 * readdir) and the whole `--run-once`, on the 168 h × 1 quality store, STARTUP_RUNS times
 * (7 by default). Start-up is the daemon's own `startupMs` (performance.now() when it starts
 * the first pass) and `startupCpuMs`; the run is wall, CPU and peak RSS from GNU time. Also
 * the load of the bundled CLI alone, with its code cache and without, and `node -e 0`. Prints medians with the load average:
 * on a busy machine wall times are not comparable, CPU times less so.
 */
const RUNS = Number(process.env.STARTUP_RUNS ?? 7);
const BIN = path.join(REPO, 'bin', 'segcov.js');
const LOADER = path.join(REPO, 'bin', 'loadBundle.js');

interface Run {
  startupMs: number;
  startupCpuMs: number;
  wallMs: number;
  cpuMs: number;
  rssKiB: number;
}

function spawnCollect(
  cmd: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string; wallMs: number }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - t0 })));
}

async function runOnce(base: string): Promise<Run> {
  const out = mkdtempSync(path.join(tmpdir(), 'segcov-startup-'));
  try {
    const r = await spawnCollect('/usr/bin/time', [
      '-f',
      '%M %U %S',
      process.execPath,
      BIN,
      'bench',
      '--base-dir',
      base,
      '--output-dir',
      out,
      '--metrics-port',
      '0',
      '--log-level',
      'debug',
      '--run-once',
    ]);
    if (r.code !== 0) throw new Error(`segcov --run-once failed (${r.code}):\n${r.stderr}`);
    const line = r.stderr.split('\n').find((l) => l.includes('"startupMs"')) ?? '';
    const s = JSON.parse(line) as { startupMs: number; startupCpuMs: number };
    const t = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(r.stderr.trim().split('\n').pop() ?? '');
    if (t === null) throw new Error(`no GNU time line in:\n${r.stderr.slice(-500)}`);
    return {
      startupMs: s.startupMs,
      startupCpuMs: s.startupCpuMs,
      wallMs: r.wallMs,
      cpuMs: (Number(t[2]) + Number(t[3])) * 1000,
      rssKiB: Number(t[1]),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function importMs(code: string): Promise<number> {
  const r = await spawnCollect(process.execPath, ['--input-type=module', '-e', code]);
  return Number(r.stdout.trim());
}

const store = ensureStore(168, ['source']);
const load0 = loadavg()[0];
const runs: Run[] = [];
const cached: number[] = [];
const uncached: number[] = [];
const bare: number[] = [];
for (let i = 0; i < RUNS; i++) {
  runs.push(await runOnce(store.base));
  // the bundle's top level (flags, logging; the daemon module is evaluated when the command runs), with the code cache and without it
  for (const [useCache, into] of [
    [true, cached],
    [false, uncached],
  ] as const) {
    into.push(
      await importMs(
        `import { loadBundle } from ${JSON.stringify(LOADER)}; const t = performance.now(); loadBundle({ useCache: ${useCache} }); console.log(performance.now() - t);`,
      ),
    );
  }
  bare.push((await spawnCollect(process.execPath, ['-e', '0'])).wallMs);
}
const m = (f: (r: Run) => number): string => median(runs.map(f)).toFixed(0);
console.log(`start-up on ${store.name}, median of ${RUNS} (load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}):`);
console.log(`  startupMs ${m((r) => r.startupMs)} (${runs.map((r) => r.startupMs).join(' ')}), startupCpuMs ${m((r) => r.startupCpuMs)}`);
console.log(
  `  --run-once: wall ${m((r) => r.wallMs)} ms, CPU ${m((r) => r.cpuMs)} ms, peak RSS ${(median(runs.map((r) => r.rssKiB)) / 1024).toFixed(0)} MiB`,
);
console.log(
  `  loading dist/bundle/main.cjs (its top level): ${median(cached).toFixed(1)} ms with the code cache, ${median(uncached).toFixed(1)} ms without; node -e 0: ${median(bare).toFixed(0)} ms wall`,
);
