import { Worker } from 'node:worker_threads';

export interface PasswordRequest {
  readonly id: number;
  readonly password: string;
  readonly hash: string;
}

export type PasswordReply = { readonly id: number; readonly ok: boolean } | { readonly id: number; readonly error: string };

/** Where the worker entry is: beside this file, in the source tree's build and in a bundled CLI alike. */
export function passwordWorkerUrl(): URL {
  return new URL('./passwordWorker.js', import.meta.url);
}

/**
 * Checks passwords against bcrypt hashes on one worker thread, so that however many
 * wrong passwords arrive, the main thread (scrapes, the page) is not the one hashing them.
 * The worker starts with the first check (most daemons have no users) and is restarted if
 * it dies; it keeps the process alive only while a check waits.
 */
export class PasswordChecks {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (ok: boolean) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(private readonly url: URL = passwordWorkerUrl()) {}

  /** Checks waiting for the worker (or being done). */
  get pending(): number {
    return this.waiting.size;
  }

  /** Whether `password` matches the bcrypt `hash`. Rejects when the worker fails. */
  compare(password: string, hash: string): Promise<boolean> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({ id, password, hash } satisfies PasswordRequest);
    });
  }

  /** Ends the worker (checks still waiting are rejected). */
  close(): void {
    const w = this.worker;
    this.worker = null;
    if (w !== null) {
      this.failAll(new Error('password checks closed'));
      void w.terminate();
    }
  }

  private start(): Worker {
    const worker = new Worker(this.url);
    worker.unref();
    worker.on('message', (reply: PasswordReply) => {
      const waiter = this.waiting.get(reply.id);
      if (waiter === undefined) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if ('error' in reply) waiter.reject(new Error(`password check failed: ${reply.error}`));
      else waiter.resolve(reply.ok);
    });
    const gone = (e: Error): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(e);
    };
    worker.on('error', (e: Error) => gone(new Error(`password worker failed: ${e.message}`)));
    worker.on('exit', (code) => gone(new Error(`password worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private failAll(e: Error): void {
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of all) w.reject(e);
  }
}
