/**
 * A bounded producer → queue → worker pool → ordered collector pipeline.
 *
 * The producer is pulled only while fewer than `queueSize` items wait for a worker, so
 * memory stays bounded however long the input is. Workers run `work` concurrently;
 * the collector receives results strictly in input order (a result that finishes early
 * waits for its predecessors), which is what stitching hours or gathering chunks needs.
 */

export interface PoolOptions<T, R> {
  /** Items in order; pulled lazily. */
  readonly items: AsyncIterable<T> | Iterable<T>;
  /** Processes one item; may throw (see onError). */
  readonly work: (item: T, seq: number) => Promise<R>;
  /** Receives results in input order. May be async; the pipeline waits for it. */
  readonly collect: (result: R, item: T, seq: number) => void | Promise<void>;
  /** Workers running at once (≥ 1). */
  readonly concurrency: number;
  /** Items produced ahead of the workers (≥ 1). Default: 2 × concurrency. */
  readonly queueSize?: number;
  /** Stop pulling new items when this returns true (checked between items). */
  readonly shouldStop?: () => boolean;
}

export interface PoolSummary {
  readonly produced: number;
  readonly collected: number;
  readonly stopped: boolean;
}

/** Runs the pipeline to the end. The first error from `work` or `collect` rejects it. */
export async function runOrderedPool<T, R>(opts: PoolOptions<T, R>): Promise<PoolSummary> {
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const queueSize = Math.max(1, Math.floor(opts.queueSize ?? concurrency * 2));
  const iterator = toAsyncIterator(opts.items);
  const queue: { item: T; seq: number }[] = [];
  const done = new Map<number, { result: R; item: T }>();
  let produced = 0;
  let collected = 0;
  let exhausted = false;
  let stopped = false;
  let failure: unknown = null;
  let pulling: Promise<void> | null = null;
  let collecting: Promise<void> = Promise.resolve();

  const fill = async (): Promise<void> => {
    while (!exhausted && failure === null && queue.length < queueSize) {
      if (opts.shouldStop?.()) {
        stopped = true;
        exhausted = true;
        break;
      }
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      queue.push({ item: next.value, seq: produced++ });
    }
  };
  const refill = (): Promise<void> => {
    pulling ??= fill().finally(() => {
      pulling = null;
    });
    return pulling;
  };
  const drainInOrder = async (): Promise<void> => {
    for (let entry = done.get(collected); entry !== undefined; entry = done.get(collected)) {
      done.delete(collected);
      await opts.collect(entry.result, entry.item, collected);
      collected++;
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      while (queue.length === 0 && !exhausted && failure === null) await refill();
      const task = queue.shift();
      if (task === undefined || failure !== null) return;
      void refill().catch((e: unknown) => {
        failure ??= e;
      });
      try {
        const result = await opts.work(task.item, task.seq);
        done.set(task.seq, { result, item: task.item });
        collecting = collecting.then(drainInOrder);
        await collecting;
      } catch (e) {
        failure ??= e;
        return;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } catch (e) {
    failure ??= e;
  }
  if (failure !== null) {
    await iterator.return?.();
    throw failure;
  }
  await collecting;
  return { produced, collected, stopped };
}

function toAsyncIterator<T>(items: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) return (items as AsyncIterable<T>)[Symbol.asyncIterator]();
  const it = (items as Iterable<T>)[Symbol.iterator]();
  return {
    next: async () => it.next(),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}
