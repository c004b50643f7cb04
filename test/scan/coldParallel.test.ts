import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeHourFolders, coldPass, listQualityHours, type ColdPassResult } from '../../src/scan/coldPass.js';
import { HourCache } from '../../src/scan/hourCache.js';
import { coldPassThreads, endPrestartedWorkers, HourWorkerPool, MIN_HOURS_FOR_WORKERS, prestartHourWorkers, prestartedWorkers } from '../../src/scan/hourWorkerPool.js';
import type { WorkerFault } from '../../src/scan/hourBatch.js';
import { hourWorkerUrl } from '../../src/scan/workerLocation.js';
import { parseHourName } from '../../src/store/hourName.js';
import type { HourFolder } from '../../src/store/listHours.js';
import type { ProblemSink } from '../../src/store/problems.js';
import { buildCaseStore, loadCases } from '../helpers/conformance.js';
import { fillHour, offsetName, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** A sink that records every report, and the reports sorted (order is not part of the contract). */
function recorder(): { report: ProblemSink; sorted: () => string[] } {
  const seen: string[] = [];
  return {
    report: (kind, p, detail) => { seen.push(`${kind}\t${p}\t${detail}`); },
    sorted: () => seen.slice().sort(),
  };
}

interface Run {
  readonly pass: ColdPassResult | null;
  readonly problems: string[];
}

async function passWith(base: string, channel: string, quality: string, workers: HourWorkerPool | null, cache?: HourCache): Promise<Run> {
  const r = recorder();
  const pass = await coldPass({ base, channel, quality, window: {}, concurrency: 3, report: r.report, workers, cache });
  return { pass, problems: r.sorted() };
}

const CH = 'chan';
const Q = 'source';
const hourAt = (i: number): string => `2026-11-01T${String(i).padStart(2, '0')}`;

/**
 * A store with the faults the cold pass must report the same way on any thread: bad names,
 * tombstones, duplicates whose sizes decide (suspect and partial), a hidden and a non-hour
 * folder, an hour name that is a file, and enough hours to make many batches.
 */
function faultyStore(base: string): void {
  for (let i = 0; i < 20; i++) fillHour(base, CH, Q, hourAt(i), 0, 600 + i * 10, new Set([100 + i * 2]));
  putSegment(base, CH, Q, hourAt(1), 'nonsense.ts');
  putSegment(base, CH, Q, hourAt(1), '99:00.000000-2.000-full-AAAA.ts');
  putSegment(base, CH, Q, hourAt(2), `${offsetName(700)}-2.000-full-BBBB.ts`);
  putSegment(base, CH, Q, hourAt(2), `${offsetName(700)}-2.000-full-BBBB.tombstone`);
  putSegment(base, CH, Q, hourAt(3), `${offsetName(800)}-2.000-suspect-AAAA.ts`, 500);
  putSegment(base, CH, Q, hourAt(3), `${offsetName(800)}-1.500-suspect-BBBB.ts`, 900);
  putSegment(base, CH, Q, hourAt(4), `${offsetName(900)}-2.000-partial-AAAA.ts`, 10);
  putSegment(base, CH, Q, hourAt(4), `${offsetName(900)}-1.000-partial-CCCC.ts`, 20);
  putSegment(base, CH, Q, hourAt(4), `${offsetName(902)}-2.000-temp-x.ts`);
  putSegment(base, CH, Q, hourAt(5), `${offsetName(0)}-2.000-full-A=A.ts`);
  mkdirSync(path.join(base, CH, Q, 'not-an-hour'));
  mkdirSync(path.join(base, CH, Q, '.hidden'));
  writeFileSync(path.join(base, CH, Q, '2026-11-02T00'), '');
}

describe('cold pass on worker threads', () => {
  let pool: HourWorkerPool;
  let lanes: HourWorkerPool;
  let mainOnly: HourWorkerPool;
  before(() => {
    pool = new HourWorkerPool({ threads: 2 });
    // as the daemon runs it: from 2 cores, workers beside the main thread's lane; on one, the lane alone
    lanes = new HourWorkerPool({ threads: 1, mainLane: true });
    mainOnly = new HourWorkerPool({ threads: 0, mainLane: true });
  });
  after(() => Promise.all([pool.close(), lanes.close(), mainOnly.close()]));

  it('finds the worker entry beside the scan modules', () => {
    assert.equal(path.basename(hourWorkerUrl().pathname), 'hourWorker.js');
    assert.equal(coldPassThreads(1), 0, 'one core: in-process');
    assert.equal(coldPassThreads(2), 1, 'two cores: one worker beside the main lane (prestarted, its boot is hidden)');
    assert.equal(coldPassThreads(4), 3, 'the main thread takes the fourth core');
    assert.equal(coldPassThreads(64), 3, 'capped');
    assert.equal(coldPassThreads(2, 168), 0, 'a week of hours: the main lane alone reads it sooner');
    assert.equal(coldPassThreads(4, MIN_HOURS_FOR_WORKERS - 1), 0);
    assert.equal(coldPassThreads(2, MIN_HOURS_FOR_WORKERS), 1, 'from the threshold up: as the cores say');
  });

  it('gives the in-process results and problems on every conformance case', async () => {
    const cases = loadCases();
    assert.ok(cases.length >= 33);
    for (const c of cases) {
      const base = await buildCaseStore(c);
      try {
        for (const quality of c.qualities) {
          const alone = await passWith(base, c.channel, quality, null);
          assert.deepEqual(await passWith(base, c.channel, quality, pool), alone, `${c.name} ${quality}`);
          assert.deepEqual(await passWith(base, c.channel, quality, lanes), alone, `${c.name} ${quality} (main lane)`);
          assert.deepEqual(await passWith(base, c.channel, quality, mainOnly), alone, `${c.name} ${quality} (main lane alone)`);
        }
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    }
  });

  it('gives the in-process results and problems on a store with faults', async () => {
    const base = await makeTmpDir('coldpar');
    try {
      faultyStore(base);
      const alone = await passWith(base, CH, Q, null);
      const threaded = await passWith(base, CH, Q, pool);
      assert.ok(alone.pass !== null && alone.pass.hours.length === 20);
      assert.ok(alone.problems.some((p) => p.startsWith('bad_name')) && alone.problems.some((p) => p.startsWith('not_a_folder')));
      assert.ok(alone.pass.hours[3].counts.suspect === 2 && alone.pass.hours[4].overlapCount.partial === 1, 'sizes decided the duplicates');
      assert.deepEqual(threaded, alone);
      assert.deepEqual(await passWith(base, CH, Q, lanes), alone, 'main lane');
      assert.deepEqual(await passWith(base, CH, Q, mainOnly), alone, 'main lane alone');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('reports hour folders that cannot be read (gone, a file, a link loop) as in-process', async () => {
    const base = await makeTmpDir('coldpar-unreadable');
    try {
      faultyStore(base);
      const q = path.join(base, CH, Q);
      writeFileSync(path.join(q, '2026-11-01T21'), '');
      symlinkSync('2026-11-01T22', path.join(q, '2026-11-01T22'));
      const folders: HourFolder[] = [...await listQualityHours({ base, channel: CH, quality: Q, window: {}, report: () => {} })];
      // listed, then changed before the read: gone, a file, a loop
      for (const name of ['2026-11-01T20', '2026-11-01T21', '2026-11-01T22']) folders.push({ name, start: parseHourName(name) as number });
      const run = async (workers: HourWorkerPool | null): Promise<Run> => {
        const r = recorder();
        const pass = await analyzeHourFolders(folders, { base, channel: CH, quality: Q, window: {}, concurrency: 2, report: r.report, workers });
        return { pass, problems: r.sorted() };
      };
      const alone = await run(null);
      const kinds = alone.problems.map((p) => p.split('\t')[0]);
      for (const k of ['vanished', 'not_a_folder', 'unreadable']) assert.ok(kinds.includes(k), `${k} reported`);
      assert.equal(alone.pass?.hours.length, 20, 'unreadable hours left out');
      assert.deepEqual(await run(pool), alone);
      assert.deepEqual(await run(lanes), alone, 'main lane');
      assert.deepEqual(await run(mainOnly), alone, 'main lane alone');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('adopts prestarted workers, and ends those no pool took', async () => {
    const base = await makeTmpDir('coldpar-prestart');
    const running = HourWorkerPool.running;
    try {
      faultyStore(base);
      const alone = await passWith(base, CH, Q, null);
      prestartHourWorkers(2);
      assert.equal(prestartedWorkers(), 2);
      assert.equal(HourWorkerPool.running, running + 2, 'prestarted workers are running threads');
      const adopting = new HourWorkerPool({ threads: 1, mainLane: true });
      try {
        assert.equal(prestartedWorkers(), 1, 'the pool took one of them instead of starting its own');
        assert.equal(HourWorkerPool.running, running + 2, 'and started none');
        assert.deepEqual(await passWith(base, CH, Q, adopting), alone);
      } finally {
        await adopting.close();
      }
      await endPrestartedWorkers();
      assert.equal(prestartedWorkers(), 0);
      assert.equal(HourWorkerPool.running, running, 'no prestarted worker lingers');
    } finally {
      await endPrestartedWorkers();
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('fills the hour cache so the next (in-process) pass reuses every settled hour', async () => {
    const base = await makeTmpDir('coldpar-cache');
    try {
      faultyStore(base);
      const past = new Date(Date.now() - 60_000);
      for (let i = 0; i < 20; i++) utimesSync(path.join(base, CH, Q, hourAt(i)), past, past);
      const cache = new HourCache();
      const first = await passWith(base, CH, Q, lanes, cache);
      const viaMain = await passWith(base, CH, Q, mainOnly, new HourCache());
      assert.deepEqual(viaMain, first, 'the main lane alone gives the same');
      const second = await passWith(base, CH, Q, null, cache);
      assert.ok(first.pass !== null && second.pass !== null);
      assert.equal(second.pass.hours.length, 20);
      for (let i = 0; i < 20; i++) assert.equal(second.pass.hours[i], first.pass.hours[i], `hour ${i} from the cache (same object)`);
      assert.ok(!second.problems.some((p) => p.startsWith('bad_name')), 'cached hours are not re-read');
      // a size-deciding file that grew is still seen: the worker recorded the sizes it read
      writeFileSync(path.join(base, CH, Q, hourAt(3), `${offsetName(800)}-2.000-suspect-AAAA.ts`), Buffer.alloc(2000));
      const third = await passWith(base, CH, Q, null, cache);
      assert.notEqual(third.pass?.hours[3], first.pass.hours[3], 'resized duplicate re-read');
      assert.equal(third.pass?.hours[4], first.pass.hours[4]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  for (const how of ['throw', 'exit'] as const) {
    it(`reads a batch in-process when its worker ${how === 'throw' ? 'throws' : 'exits'}, losing nothing`, async () => {
      const base = await makeTmpDir(`coldpar-${how}`);
      try {
        faultyStore(base);
        const alone = await passWith(base, CH, Q, null);
        const failures: string[] = [];
        const fault: WorkerFault = { hour: hourAt(7), how };
        const faulty = new HourWorkerPool({ threads: 2, fault, onFailure: (r) => failures.push(r) });
        try {
          const threaded = await passWith(base, CH, Q, faulty);
          assert.deepEqual(threaded, alone);
          assert.ok(failures.length >= 1, 'the failure is told');
          assert.match(failures.join('\n'), how === 'throw' ? /injected fault/ : /exited with code 3/);
          if (how === 'exit') assert.ok(faulty.threads < 2, 'the dead worker takes no more batches');
        } finally {
          await faulty.close();
        }
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    });
  }

  it('reads everything in-process once every worker is gone, and after close', async () => {
    const base = await makeTmpDir('coldpar-gone');
    try {
      faultyStore(base);
      const alone = await passWith(base, CH, Q, null);
      // every batch holds hour 0 in a one-hour store: each worker dies on its first batch
      const one = await makeTmpDir('coldpar-one');
      fillHour(one, CH, Q, hourAt(0), 0, 100);
      const dying = new HourWorkerPool({ threads: 2, fault: { hour: hourAt(0), how: 'exit' } });
      try {
        const a = await passWith(one, CH, Q, dying);
        const b = await passWith(one, CH, Q, null);
        assert.deepEqual(a, b);
        // the second worker may still be alive: a second pass kills it too
        await passWith(one, CH, Q, dying);
        assert.equal(dying.threads, 0);
        assert.deepEqual(await passWith(base, CH, Q, dying), alone, 'no worker left: in-process');
      } finally {
        await dying.close();
        rmSync(one, { recursive: true, force: true });
      }
      const closed = new HourWorkerPool({ threads: 1 });
      await closed.close();
      assert.equal(await closed.run({ base, channel: CH, quality: Q, hours: [], stamp: false }), null);
      assert.deepEqual(await passWith(base, CH, Q, closed), alone);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
