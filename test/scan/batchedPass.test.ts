import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeHourFolders, coldPass, listQualityHours, type ColdPassResult } from '../../src/scan/coldPass.js';
import { HourCache } from '../../src/scan/hourCache.js';
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
    report: (kind, p, detail) => {
      seen.push(`${kind}\t${p}\t${detail}`);
    },
    sorted: () => seen.slice().sort(),
  };
}

interface Run {
  readonly pass: ColdPassResult | null;
  readonly problems: string[];
}

async function passWith(base: string, channel: string, quality: string, batched: boolean, cache?: HourCache): Promise<Run> {
  const r = recorder();
  const pass = await coldPass({ base, channel, quality, window: {}, concurrency: 3, report: r.report, batched, cache });
  return { pass, problems: r.sorted() };
}

const CH = 'chan';
const Q = 'source';
const hourAt = (i: number): string => `2026-11-01T${String(i).padStart(2, '0')}`;

/**
 * A store with the faults the cold pass must report the same way on either path: bad names,
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

describe("the first pass's batches (read synchronously, listed ahead)", () => {
  it('gives the results and problems of the async path on every conformance case', async () => {
    const cases = loadCases();
    assert.ok(cases.length >= 33);
    for (const c of cases) {
      const base = await buildCaseStore(c);
      try {
        for (const quality of c.qualities) {
          const alone = await passWith(base, c.channel, quality, false);
          assert.deepEqual(await passWith(base, c.channel, quality, true), alone, `${c.name} ${quality}`);
        }
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    }
  });

  it('gives the results and problems of the async path on a store with faults', async () => {
    const base = await makeTmpDir('coldpar');
    try {
      faultyStore(base);
      const alone = await passWith(base, CH, Q, false);
      const batched = await passWith(base, CH, Q, true);
      assert.ok(alone.pass !== null && alone.pass.hours.length === 20);
      assert.ok(alone.problems.some((p) => p.startsWith('bad_name')) && alone.problems.some((p) => p.startsWith('not_a_folder')));
      assert.ok(alone.pass.hours[3].counts.suspect === 2 && alone.pass.hours[4].overlapCount.partial === 1, 'sizes decided the duplicates');
      assert.deepEqual(batched, alone);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('reports hour folders that cannot be read (gone, a file, a link loop) as the async path does', async () => {
    const base = await makeTmpDir('coldpar-unreadable');
    try {
      faultyStore(base);
      const q = path.join(base, CH, Q);
      writeFileSync(path.join(q, '2026-11-01T21'), '');
      symlinkSync('2026-11-01T22', path.join(q, '2026-11-01T22'));
      const folders: HourFolder[] = [...(await listQualityHours({ base, channel: CH, quality: Q, window: {}, report: () => {} }))];
      // listed, then changed before the read: gone, a file, a loop
      for (const name of ['2026-11-01T20', '2026-11-01T21', '2026-11-01T22']) folders.push({ name, start: parseHourName(name) as number });
      const run = async (batched: boolean): Promise<Run> => {
        const r = recorder();
        const pass = await analyzeHourFolders(folders, {
          base,
          channel: CH,
          quality: Q,
          window: {},
          concurrency: 2,
          report: r.report,
          batched,
        });
        return { pass, problems: r.sorted() };
      };
      const alone = await run(false);
      const kinds = alone.problems.map((p) => p.split('\t')[0]);
      for (const k of ['vanished', 'not_a_folder', 'unreadable']) assert.ok(kinds.includes(k), `${k} reported`);
      assert.equal(alone.pass?.hours.length, 20, 'unreadable hours left out');
      assert.deepEqual(await run(true), alone);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('fills the hour cache so the next (async) pass reuses every settled hour', async () => {
    const base = await makeTmpDir('coldpar-cache');
    try {
      faultyStore(base);
      const past = new Date(Date.now() - 60_000);
      for (let i = 0; i < 20; i++) utimesSync(path.join(base, CH, Q, hourAt(i)), past, past);
      const cache = new HourCache();
      const first = await passWith(base, CH, Q, true, cache);
      assert.deepEqual(await passWith(base, CH, Q, false, new HourCache()), first, 'the async path gives the same');
      const second = await passWith(base, CH, Q, false, cache);
      assert.ok(first.pass !== null && second.pass !== null);
      assert.equal(second.pass.hours.length, 20);
      for (let i = 0; i < 20; i++) assert.equal(second.pass.hours[i], first.pass.hours[i], `hour ${i} from the cache (same object)`);
      assert.ok(!second.problems.some((p) => p.startsWith('bad_name')), 'cached hours are not re-read');
      // a size-deciding file that grew is still seen: the batch recorded the sizes it read
      writeFileSync(path.join(base, CH, Q, hourAt(3), `${offsetName(800)}-2.000-suspect-AAAA.ts`), Buffer.alloc(2000));
      const third = await passWith(base, CH, Q, false, cache);
      assert.notEqual(third.pass?.hours[3], first.pass.hours[3], 'resized duplicate re-read');
      assert.equal(third.pass?.hours[4], first.pass.hours[4]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
