/**
 * `CHOKIDAR_DIR=/tmp/chok/node_modules/chokidar node dist/bench/watcherRaces.js [TRIALS]`
 * (default 50): the folder races that matter to segcov, TRIALS times each, against chokidar
 * and segcov's StoreWatcher side by side on one store. chokidar is no dependency of segcov:
 * install it anywhere (`npm install chokidar@5` in a scratch folder) and name its folder.
 *
 * A trial: a fresh store in the OS temp folder (BASE/ch/source, two hours of segments), both
 * watchers started, then a writer replaces a folder and writes new segments into it at once
 * (each under a hidden temp name renamed into place). Writer and watchers run on threads of
 * their own: each watcher has its own event loop and inotify instance, as in a daemon, and
 * neither delays the other's callbacks. Seen, for chokidar: an `add` (or `change`) of every
 * new segment's path; for segcov, whose daemon re-reads what the watcher names: every new
 * segment in a listing of the hour (on hourChanged) or of the quality, channel or base (on
 * qualityChanged), a folder it could not watch retried as live mode retries it. Each has
 * RACE_DEADLINE_MS (3000) after the last write. Then, LATER_MS (1000) after the race, one
 * more segment into each hour ("later"): a watcher that lost the folder misses it too.
 * RACE_LANES (6) trials run at once, each with its own store and threads (a lost folder costs
 * a trial its deadlines); RACE_BURN (0) more threads burn CPU half the time, as load;
 * RACE_STEP_MS (0) slows the writer.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { RETRY_FIRST_MS, RETRY_MAX_MS } from '../src/live/liveMode.js';
import { StoreWatcher } from '../src/live/storeWatcher.js';
import { backoffMs } from '../src/time/backoff.js';

/** One step of the writer: a folder removed (rm -rf), a folder made, a segment written. */
type Op = { readonly rm: string } | { readonly mkdir: string } | { readonly seg: string };

/** A race: its steps (relative to BASE; the segments among them must be seen), and the hours they write. */
interface Race {
  readonly name: string;
  readonly hours: readonly string[];
  readonly ops: (trial: number) => Op[];
}

const [CH, Q, HOURS, PER_HOUR] = ['ch', 'source', ['2026-11-01T05', '2026-11-01T06'], 3] as const;
const LATER_MS = Number(process.env.LATER_MS ?? 1000);
/** A pause between the writer's steps, ms: 0 writes as fast as it can; a shell's steps take ~1-2 ms. */
const STEP_MS = Number(process.env.RACE_STEP_MS ?? 0);
const seg = (hour: string, n: number, tag: string): Op => ({
  seg: path.join(CH, Q, hour, `${String(n).padStart(2, '0')}:00.000000-2.000-full-${tag}.ts`),
});
const fill = (hours: readonly string[], tag: string): Op[] =>
  hours.flatMap((h) => [{ mkdir: path.join(CH, Q, h) }, ...Array.from({ length: PER_HOUR }, (_, i) => seg(h, 10 + i, tag))]);

const RACES: readonly Race[] = [
  {
    name: 'quality folder removed and re-created, hours written at once',
    hours: HOURS,
    ops: (t) => [{ rm: path.join(CH, Q) }, { mkdir: path.join(CH, Q) }, ...fill(HOURS, `Q${t}`)],
  },
  {
    name: 'base folder removed and re-created, hours written at once',
    hours: HOURS,
    ops: (t) => [{ rm: '' }, { mkdir: '' }, { mkdir: CH }, { mkdir: path.join(CH, Q) }, ...fill(HOURS, `B${t}`)],
  },
  {
    name: 'hour folder replaced (rm -rf + mkdir), segments written',
    hours: [HOURS[1]],
    ops: (t) => [{ rm: path.join(CH, Q, HOURS[1]) }, ...fill([HOURS[1]], `H${t}`)],
  },
];

/** What a thread of this script is. */
type Role = { readonly role: 'writer' | 'segcov' | 'burner' } | { readonly role: 'chokidar'; readonly dir: string };
type Command = { readonly start: string } | { readonly stop: true };
/** From a watcher thread; `retried`: the watch retry loop ran since the start. */
type Report =
  | { readonly ready: true }
  | { readonly seen: string }
  | { readonly error: string }
  | { readonly stopped: true; readonly retried: boolean };

const post = (r: Report): void => parentPort?.postMessage(r);

/** The writer: runs each batch of steps synchronously, as fast as it can. */
function writerThread(): void {
  parentPort?.on('message', ({ base, ops }: { base: string; ops: Op[] }) => {
    for (const op of ops) {
      if (STEP_MS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STEP_MS);
      if ('rm' in op) rmSync(path.join(base, op.rm), { recursive: true, force: true });
      else if ('mkdir' in op) mkdirSync(path.join(base, op.mkdir), { recursive: true });
      else {
        const [file, temp] = [path.join(base, op.seg), path.join(base, path.dirname(op.seg), `.${path.basename(op.seg)}.part`)];
        writeFileSync(temp, 'segment');
        renameSync(temp, file);
      }
    }
    parentPort?.postMessage('done');
  });
}

/** The part of chokidar's API used here. */
interface ChokidarWatcher {
  on(event: 'add' | 'change' | 'error', fn: (p: unknown) => void): ChokidarWatcher;
  once(event: 'ready', fn: () => void): ChokidarWatcher;
  close(): Promise<void>;
}
interface Chokidar {
  watch(paths: string, opts: { ignoreInitial: boolean }): ChokidarWatcher;
}

const chokidarEntry = (dir: string): string => pathToFileURL(path.join(path.resolve(dir), 'index.js')).href;

async function chokidarThread(dir: string): Promise<void> {
  const chokidar = (await import(chokidarEntry(dir))) as Chokidar;
  let cw: ChokidarWatcher | null = null;
  parentPort?.on('message', (m: Command) => {
    if ('start' in m) {
      cw = chokidar.watch(m.start, { ignoreInitial: true });
      cw.on('add', (p) => post({ seen: String(p) }))
        .on('change', (p) => post({ seen: String(p) }))
        .on('error', (e) => post({ error: `chokidar: ${String(e)}` }));
      cw.once('ready', () => post({ ready: true }));
    } else void cw?.close().then(() => post({ stopped: true, retried: false }));
  });
}

/** Every segment path under `dir` not reported yet, listed now (what a re-read by the daemon would find). */
function listSegments(dir: string, seen: Set<string>): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    /* gone: nothing to list */
  }
  for (const n of names) {
    const p = path.join(dir, n);
    if (n.endsWith('.ts') && !n.startsWith('.')) {
      if (!seen.has(p)) post({ seen: p });
      seen.add(p);
    } else if (!n.includes('.')) listSegments(p, seen);
  }
}

function segcovThread(): void {
  let sw: StoreWatcher | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let retries = 0;
  parentPort?.on('message', (m: Command) => {
    if ('stop' in m) {
      if (retryTimer !== null) clearTimeout(retryTimer);
      void sw?.close().then(() => post({ stopped: true, retried: retries > 0 }));
      return;
    }
    const base = m.start;
    const seen = new Set<string>();
    [retries, retryTimer] = [0, null];
    // As live mode does (src/live/liveMode.ts): a folder that could not be watched, such as
    // a base looked at between its removal and re-creation, is retried with backoff.
    const scheduleRetry = (): void => {
      retryTimer ??= setTimeout(
        () => {
          retryTimer = null;
          void w.retry().then(() => {
            if (w.unwatched.size > 0) scheduleRetry();
          });
        },
        backoffMs(RETRY_FIRST_MS, RETRY_MAX_MS, ++retries),
      );
    };
    const w: StoreWatcher = new StoreWatcher(
      { base, channels: [CH], qualities: [Q] },
      {
        hourChanged: (c, q, h) => listSegments(path.join(base, c, q, h), seen),
        qualityChanged: (c, q) => listSegments(path.join(base, ...(c === null ? [] : [c]), ...(q === null ? [] : [q])), seen),
        unwatched: () => scheduleRetry(),
      },
    );
    sw = w;
    void w.start().then(() => post({ ready: true }));
  });
}

/** A watcher thread as the main thread sees it: the paths it reported, and start and stop. */
class WatcherThread {
  readonly seen = new Set<string>();
  private waiting: ((r: Report) => void) | null = null;
  constructor(
    private readonly worker: Worker,
    errors: string[],
  ) {
    worker.on('message', (r: Report) => {
      if ('seen' in r) this.seen.add(r.seen);
      else if ('error' in r) errors.push(r.error);
      else this.waiting?.(r);
    });
  }

  private ask(c: Command): Promise<Report> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.worker.postMessage(c);
    });
  }

  async start(base: string): Promise<void> {
    this.seen.clear();
    await this.ask({ start: base });
  }

  /** Stops watching; true when the watch retry loop ran. */
  async stop(): Promise<boolean> {
    const r = await this.ask({ stop: true });
    return 'retried' in r && r.retried;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

interface Lane {
  readonly writer: Worker;
  readonly chokidar: WatcherThread;
  readonly segcov: WatcherThread;
}

function write(w: Worker, base: string, ops: Op[]): Promise<void> {
  return new Promise((resolve) => {
    w.once('message', () => resolve());
    w.postMessage({ base, ops });
  });
}

async function waitUntil(ok: () => boolean, deadlineMs: number): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!ok() && performance.now() < end) await sleep(10);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface Tally {
  chokidar: number;
  segcov: number;
  chokidarLater: number;
  segcovLater: number;
  retried: number;
}

async function trial(lane: Lane, race: Race, t: number, deadlineMs: number, tally: Tally): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'segcov-races-'));
  const base = path.join(root, 'store');
  await write(lane.writer, base, fill(HOURS, 'OLD'));
  await Promise.all([lane.chokidar.start(base), lane.segcov.start(base)]);
  await sleep(100); // start-up settled: the race is the re-creation
  let raced = 0;
  for (const later of [false, true]) {
    const ops = later ? race.hours.map((h) => seg(h, 40, `L${t}`)) : race.ops(t);
    const want = ops.flatMap((o) => ('seg' in o ? [path.join(base, o.seg)] : []));
    const saw = (w: WatcherThread): boolean => want.every((p) => w.seen.has(p));
    if (later) await sleep(raced + LATER_MS - performance.now());
    await write(lane.writer, base, ops);
    raced ||= performance.now();
    await waitUntil(() => saw(lane.chokidar) && saw(lane.segcov), deadlineMs);
    if (saw(lane.chokidar)) tally[later ? 'chokidarLater' : 'chokidar']++;
    if (saw(lane.segcov)) tally[later ? 'segcovLater' : 'segcov']++;
  }
  const [, retried] = await Promise.all([lane.chokidar.stop(), lane.segcov.stop()]);
  if (retried) tally.retried++;
  rmSync(root, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const dir = process.env.CHOKIDAR_DIR ?? '';
  if (dir === '') {
    console.error('watcherRaces: CHOKIDAR_DIR is not set (the folder of an installed chokidar, e.g. /tmp/chok/node_modules/chokidar)');
    process.exit(2);
  }
  let version: string;
  try {
    await import(chokidarEntry(dir));
    version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch (e) {
    console.error(`watcherRaces: CHOKIDAR_DIR=${dir} holds no chokidar: ${(e as Error).message.split('\n')[0]}`);
    process.exit(2);
  }
  const trials = Number(process.argv[2] ?? 50);
  const deadlineMs = Number(process.env.RACE_DEADLINE_MS ?? 3000);
  const errors: string[] = [];
  const thread = (role: Role): Worker => new Worker(new URL(import.meta.url), { workerData: role });
  const lanes: Lane[] = Array.from({ length: Number(process.env.RACE_LANES ?? 6) }, () => ({
    writer: thread({ role: 'writer' }),
    chokidar: new WatcherThread(thread({ role: 'chokidar', dir }), errors),
    segcov: new WatcherThread(thread({ role: 'segcov' }), errors),
  }));
  const burners = Array.from({ length: Number(process.env.RACE_BURN ?? 0) }, () => thread({ role: 'burner' }));
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const started = performance.now();
  console.log(
    `chokidar ${version}, node ${process.version}, ${trials} trials a race in ${lanes.length} lanes, deadline ${deadlineMs} ms, temp ${tmpdir()}, load ${load()}`,
  );
  console.log('\n| race | trials | chokidar saw | segcov saw | later segment: chokidar / segcov |\n|---|---|---|---|---|');
  for (const race of RACES) {
    const tally: Tally = { chokidar: 0, segcov: 0, chokidarLater: 0, segcovLater: 0, retried: 0 };
    let next = 0;
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < trials) await trial(lane, race, next++, deadlineMs, tally);
      }),
    );
    const { chokidar, segcov, retried, chokidarLater, segcovLater } = tally;
    console.log(
      `| ${race.name} | ${trials} | ${chokidar} | ${segcov}${retried > 0 ? ` (${retried} via the retry)` : ''} | ${chokidarLater} / ${segcovLater} |`,
    );
  }
  for (const e of new Set(errors)) console.log(`(${e})`);
  console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s, load at the end ${load()}`);
  await Promise.all([...burners, ...lanes.flatMap((l) => [l.writer, l.chokidar, l.segcov])].map((w) => w.terminate()));
}

const role = (workerData as Role | null)?.role;
if (isMainThread) await main();
else if (role === 'writer') writerThread();
else if (role === 'chokidar') await chokidarThread((workerData as { dir: string }).dir);
else if (role === 'burner')
  for (;;) {
    const end = performance.now() + 5;
    while (performance.now() < end);
    await sleep(5);
  }
else segcovThread();
