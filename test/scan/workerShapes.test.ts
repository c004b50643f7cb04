import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { analyzeHour, copyHourResult } from '../../src/coverage/hourAnalysis.js';
import type { Segment } from '../../src/coverage/types.js';
import { fillHour, offsetName, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const mod = (rel: string): string => JSON.stringify(pathToFileURL(path.join(SRC, rel)).href);

/**
 * Run in a child under --allow-natives-syntax: reads a batch of hours on a worker thread
 * (the cold pass's pool, no main lane) and in-process, and answers whether each object of
 * the worker's results has the very hidden class (V8 map) of its in-process twin; and,
 * to show the check can fail, whether a plain structured clone does.
 */
const PROBE = `
import { HourWorkerPool } from ${mod('scan/hourWorkerPool.js')};
import { readHourBatch } from ${mod('scan/hourBatch.js')};
import { parseHourName } from ${mod('store/hourName.js')};
const [base, ...names] = process.argv.slice(2);
const batch = { base, channel: 'c', quality: 'q', stamp: false, hours: names.map((name) => ({ name, start: parseHourName(name) })) };
const pool = new HourWorkerPool({ threads: 1 });
const fromWorker = await pool.run(batch);
await pool.close();
const here = readHourBatch(batch);
const parts = (r) => [r, r.counts, r.durations, r.overlapCount, r.overlapDuration, r.chain, r.rawHoles[0], r.editableHoles[0], r.partialOnly[0]]
  .filter((o) => o !== null && o !== undefined);
const same = (a, b) => { const pa = parts(a); const pb = parts(b); return pa.length === pb.length && pa.every((o, i) => %HaveSameMap(o, pb[i])); };
const r0 = here[0].result;
console.log(JSON.stringify({
  values: fromWorker.map((h) => h.result),
  here: here.map((h) => h.result),
  sameShape: fromWorker.map((h, i) => same(h.result, here[i].result)),
  // one shape for every hour result, whatever it holds (the empty hour's too)
  oneShape: here.every((h) => %HaveSameMap(h.result, r0)),
  cloneSameShape: same(structuredClone(r0), r0),
}));
`;

describe('hour results that crossed from a worker thread', () => {
  let base: string;
  let probe: string;
  const names = ['2026-11-01T00', '2026-11-01T01', '2026-11-01T02'];
  before(async () => {
    base = await makeTmpDir('shapes');
    // holes, a duplicate that loses (overlap), a partial best segment, a suspect
    fillHour(base, 'c', 'q', names[0], 0, 200, new Set([20, 22, 100]));
    putSegment(base, 'c', 'q', names[0], `${offsetName(40)}-1.000-full-BBBB.ts`);
    fillHour(base, 'c', 'q', names[1], 10, 100);
    putSegment(base, 'c', 'q', names[1], `${offsetName(100)}-2.000-partial-AAAA.ts`, 10);
    putSegment(base, 'c', 'q', names[1], `${offsetName(102)}-2.000-suspect-AAAA.ts`, 10);
    putSegment(base, 'c', 'q', names[2], 'not-a-segment.ts');
    probe = path.join(base, 'probe.mjs');
    writeFileSync(probe, PROBE);
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it('are equal to in-process ones and built of the same object shapes (V8 maps)', async () => {
    const { stdout } = await run(process.execPath, ['--allow-natives-syntax', probe, path.join(base), ...names]);
    const got = JSON.parse(stdout) as { values: unknown[]; here: unknown[]; sameShape: boolean[]; oneShape: boolean; cloneSameShape: boolean };
    assert.deepEqual(got.values, got.here);
    assert.equal(got.here.length, 3);
    assert.deepEqual(got.sameShape, [true, true, true], 'a worker result has other object shapes than an in-process one');
    assert.equal(got.oneShape, true, 'hour results of different content have different shapes');
    // the check itself can tell: a structured clone as such is of other shapes
    assert.equal(got.cloneSameShape, false);
  });

  it('copyHourResult gives back an equal result, of fresh objects', () => {
    const H = Date.UTC(2026, 10, 1) * 1000;
    const segs: Segment[] = [0, 2, 6, 8].map((s, i) => ({
      name: `${i}.ts`, start: H + s * 1_000_000, duration: 2_000_000, type: i === 3 ? 'partial' : 'full', hash: 'A', size: 5,
    }));
    const r = analyzeHour({ hour: '2026-11-01T00', start: H, segments: segs, bad: 1 });
    const clone = structuredClone(r);
    const copy = copyHourResult(clone);
    assert.deepEqual(copy, r);
    assert.equal(r.rawHoles.length, 1);
    assert.notEqual(copy.rawHoles, clone.rawHoles);
    assert.notEqual(copy.rawHoles[0], clone.rawHoles[0]);
    assert.notEqual(copy.counts, clone.counts);
    assert.notEqual(copy.chain, clone.chain);
    assert.deepEqual(copyHourResult(analyzeHour({ hour: '2026-11-01T01', start: H + 3_600_000_000, segments: [], bad: 0 })).chain, null);
  });
});
