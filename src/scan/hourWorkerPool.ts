import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { copyHourResult } from '../coverage/hourAnalysis.js';
import { listBatchAhead, readHourBatch, type BatchHour, type HourBatch, type ListedAhead, type ListedHour, type WorkerFault, type WorkerReply, type WorkerRequest } from './hourBatch.js';
import { hourWorkerUrl } from './workerLocation.js';

/** Most threads a cold pass reads on, the main thread's lane included (each has its own heap: RSS grows with them). */
export const MAX_COLD_LANES = 4;

/** Fewest cores for which the cold pass uses worker threads at all. */
export const MIN_CORES_FOR_WORKERS = 2;

/**
 * Fewest hour folders (all channels and qualities) for which the cold pass uses worker
 * threads. A worker costs ~50 ms of CPU to boot and its own JIT warm-up (its isolate
 * compiles the listing and analysis code again, on V8's helper threads); measured on 2
 * cores (`--run-once`, `--cold-threads 0` against `1`, five runs each, interleaved): 168 h
 * 0.37 s against 0.42, 336 h 0.51 against 0.58, 720 h 0.92 against 0.85-0.91.
 */
export const MIN_HOURS_FOR_WORKERS = 600;

/**
 * Worker threads for a cold pass on this machine, beside the main thread's lane: one less
 * than the cores (the main thread, idle otherwise, takes a core's share), at most
 * MAX_COLD_LANES in all; none on one core, and none for a store of fewer than
 * MIN_HOURS_FOR_WORKERS hour folders (`hours`), which one lane reads sooner. The CLI starts
 * a worker at once (prestartHourWorkers), before the store is looked at, so the boot hides
 * behind the CLI's own start-up; one the pass does not take is ended after it.
 */
export function coldPassThreads(cores = availableParallelism(), hours = Infinity): number {
  if (hours < MIN_HOURS_FOR_WORKERS) return 0;
  return cores < MIN_CORES_FOR_WORKERS ? 0 : Math.min(cores, MAX_COLD_LANES) - 1;
}

export interface HourWorkerPoolOptions {
  readonly threads: number;
  /**
   * Also read batches on the main thread, between the workers' (synchronously: the main
   * thread is otherwise idle in a cold pass, and this saves a worker's start-up and heap).
   */
  readonly mainLane?: boolean;
  /** Test knob: makes the workers fail on one hour. */
  readonly fault?: WorkerFault;
  /** Told when a worker failed a batch or died; that work is then done in-process. */
  readonly onFailure?: (reason: string) => void;
}

/** Workers started ahead of any pool (prestartHourWorkers), oldest first, for the next pool to adopt. */
const waiting: Worker[] = [];

function startWorker(): Worker {
  // Node's default young generation: a larger one (32/64 MiB) measured no better here
  const worker = new Worker(hourWorkerUrl());
  HourWorkerPool.running++;
  worker.once('exit', () => { HourWorkerPool.running--; });
  return worker;
}

/**
 * Starts `count` hour workers now, for the next pool to take (the CLI calls this first
 * thing for the commands that begin with a cold pass): each boots while the main thread
 * parses flags and loads the daemon. Idle, they keep nothing alive; one that fails before
 * it is taken is dropped (its pool starts another). endPrestartedWorkers ends those left.
 */
export function prestartHourWorkers(count = coldPassThreads()): void {
  for (let i = 0; i < count; i++) {
    const worker = startWorker();
    worker.unref();
    const drop = (): void => {
      const at = waiting.indexOf(worker);
      if (at >= 0) waiting.splice(at, 1);
    };
    worker.on('error', drop);
    worker.on('exit', drop);
    waiting.push(worker);
  }
}

/** Ends the prestarted workers no pool took (after the first pass: nothing else uses them). */
export async function endPrestartedWorkers(): Promise<void> {
  await Promise.all(waiting.splice(0).map((w) => w.terminate()));
}

/** Prestarted workers not yet taken by a pool. */
export function prestartedWorkers(): number {
  return waiting.length;
}

interface Job {
  readonly id: number;
  readonly batch: HourBatch;
  readonly resolve: (hours: BatchHour[] | null) => void;
}

interface Slot {
  /** Null: the main thread's lane. */
  readonly worker: Worker | null;
  /** Batches sent and not yet answered, oldest first. */
  readonly jobs: Job[];
  alive: boolean;
  /** The main thread's lane: its batches, one after another. */
  chain: Promise<void>;
}

/**
 * Batches a lane holds at once. A worker's next one waits in its own queue, so it never
 * idles while the main thread (busy with its own lane's batch) has not yet sent more; the
 * main lane's next one is being listed on libuv's threads while it analyses the current one.
 */
const LANE_DEPTH = 2;

/**
 * Worker threads that read and analyse hour batches for the cold pass. `run` answers a
 * batch's hours, or null when the pool could not (a worker threw, crashed or is gone):
 * the caller then reads that batch in-process, so nothing is lost. Idle workers do not
 * keep the process alive; `close` ends them.
 */
export class HourWorkerPool {
  /** Worker threads of all pools not yet exited (no pass may leave one behind). */
  static running = 0;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly opts: HourWorkerPoolOptions) {
    for (let i = 0; i < opts.threads; i++) this.spawn();
    if (opts.mainLane === true) this.slots.push({ worker: null, jobs: [], alive: true, chain: Promise.resolve() });
  }

  /** Lanes (workers and the main thread's) still able to take batches. */
  get threads(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /** Reads a batch on a worker thread (or the main lane); null when it must be read in-process instead. */
  run(batch: HourBatch): Promise<BatchHour[] | null> {
    if (this.closed || this.threads === 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, batch, resolve });
      this.dispatch();
    });
  }

  /** Ends every worker; batches still waiting are answered null. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(null);
    await Promise.all(this.slots.map(async (s) => {
      s.alive = false;
      for (const job of s.jobs.splice(0)) job.resolve(null);
      await s.worker?.terminate();
    }));
  }

  /** Takes a prestarted worker, or starts one. */
  private spawn(): void {
    const worker = waiting.shift() ?? startWorker();
    const slot: Slot = { worker, jobs: [], alive: true, chain: Promise.resolve() };
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.answered(slot, reply));
    worker.on('error', (e) => this.died(slot, `hour worker failed: ${e instanceof Error ? e.message : String(e)}`));
    worker.on('exit', (code) => this.died(slot, `hour worker exited with code ${code}`));
    this.slots.push(slot);
  }

  private answered(slot: Slot, reply: WorkerReply): void {
    const at = slot.jobs.findIndex((j) => j.id === reply.id);
    if (at < 0) return;
    const [job] = slot.jobs.splice(at, 1);
    if ('error' in reply) {
      this.opts.onFailure?.(`hour worker could not read a batch (read in-process instead): ${reply.error}`);
      job.resolve(null);
    } else {
      // the main lane's hours are its own; a worker's were cloned across: made again as in-process ones
      job.resolve(slot.worker === null ? reply.hours : reply.hours.map((h) => (h.result === null ? h : { ...h, result: copyHourResult(h.result) })));
    }
    this.dispatch();
  }

  /**
   * The main lane's turn: one batch, synchronously once its listings (read ahead) are in
   * (a failure is answered like a worker's).
   */
  private async runHere(slot: Slot, job: Job, ahead: readonly ListedAhead[]): Promise<void> {
    const listed: ListedHour[] = await Promise.all(ahead.map(async (a) => ({ stamp: a.stamp, listing: await a.listing })));
    if (!slot.jobs.includes(job)) return; // closed meanwhile
    let reply: WorkerReply;
    try {
      reply = { id: job.id, hours: readHourBatch(job.batch, listed) };
    } catch (e) {
      reply = { id: job.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    this.answered(slot, reply);
  }

  private died(slot: Slot, reason: string): void {
    if (!slot.alive) return;
    slot.alive = false;
    if (this.closed) return;
    this.opts.onFailure?.(`${reason}; its work is read in-process`);
    for (const job of slot.jobs.splice(0)) job.resolve(null);
    if (this.threads === 0) for (const j of this.queue.splice(0)) j.resolve(null);
    else this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.alive) continue;
      while (slot.jobs.length < LANE_DEPTH && this.queue.length > 0) {
        const job = this.queue.shift() as Job;
        slot.jobs.push(job);
        if (slot.worker === null) {
          const ahead = listBatchAhead(job.batch);
          slot.chain = slot.chain.then(() => this.runHere(slot, job, ahead));
        } else {
          slot.worker.ref();
          const request: WorkerRequest = { id: job.id, batch: job.batch, fault: this.opts.fault };
          slot.worker.postMessage(request);
        }
      }
      if (slot.jobs.length === 0) slot.worker?.unref();
    }
  }
}
