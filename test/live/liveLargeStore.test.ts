import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HOUR_US } from '../../src/coverage/types.js';
import { seededRandom } from '../../src/demo/random.js';
import { formatHourName } from '../../src/store/hourName.js';
import { formatSegmentName } from '../../src/store/segmentName.js';
import { WAIT_MS, parseProm, runCli, startDaemon, waitFor } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { coverageSeries } from './liveHarness.js';

/**
 * Live updates patch only the changed hours' stitching, gauges and map columns. On a
 * store of 720 hour folders, random changes anywhere (first and last hour, the middle,
 * hours removed, hours made past the end) must still leave the daemon exactly where a
 * fresh --run-once lands: every gauge and the map's PNG bytes.
 */
const H0 = Date.UTC(2026, 8, 1) * 1000;
const HOURS = 720;
const TYPES = ['full', 'full', 'full', 'suspect', 'partial', 'partial', 'temp'] as const;

/** A segment early in the hour, or at its very end (non-full ones there reach into the next hour's map column). */
function randomSegment(rand: () => number): string {
  const atEnd = rand() < 0.25;
  const offsetUs = atEnd ? 3_598_000_000 + Math.floor(rand() * 1_000_000) : Math.floor(rand() * 20) * 2_000_000;
  const durUs = atEnd ? 2_000_000 + Math.floor(rand() * 4_000_000) : rand() < 0.8 ? 2_000_000 : Math.floor(500_000 + rand() * 3_000_000);
  const type = TYPES[Math.floor(rand() * TYPES.length)];
  return formatSegmentName(
    offsetUs,
    durUs,
    type,
    Math.floor(rand() * 1e6)
      .toString(36)
      .padEnd(4, 'x'),
  );
}

const hourName = (i: number): string => formatHourName(H0 + i * HOUR_US);

/** One random change; returns what it did (for failure messages). */
function mutate(q: string, rand: () => number): string {
  const r = rand();
  // hours near the ends and a few in the middle, where stitching and the map's edges change
  const pick = (): number => {
    const k = rand();
    if (k < 0.35) return HOURS - 3 + Math.floor(rand() * 6);
    if (k < 0.55) return Math.floor(rand() * 3);
    return Math.floor(rand() * HOURS);
  };
  const i = pick();
  const dir = path.join(q, hourName(i));
  if (r < 0.08) {
    rmSync(dir, { recursive: true, force: true });
    return `remove hour ${hourName(i)}`;
  }
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    const name = randomSegment(rand);
    writeFileSync(path.join(dir, name), 'x'.repeat(Math.floor(rand() * 50)));
    return `new hour ${hourName(i)} with ${name}`;
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  if (r < 0.25 && files.length > 0) {
    const f = files[Math.floor(rand() * files.length)];
    rmSync(path.join(dir, f));
    return `delete ${hourName(i)}/${f}`;
  }
  if (r < 0.32 && files.length > 0) {
    const f = files[Math.floor(rand() * files.length)];
    writeFileSync(path.join(dir, f.replace(/\.ts$/, '.tombstone')), '');
    return `tombstone ${hourName(i)}/${f}`;
  }
  const name = randomSegment(rand);
  writeFileSync(path.join(dir, name), 'x'.repeat(Math.floor(rand() * 50)));
  return `add ${hourName(i)}/${name}`;
}

describe('live mode on a 720-hour store equals a fresh pass', () => {
  for (const seed of [21, 22]) {
    it(`random changes across 720 hours (seed ${seed})`, async () => {
      const rand = seededRandom(seed);
      const base = await makeTmpDir(`large${seed}`);
      const storeBase = path.join(base, 'store');
      const q = path.join(storeBase, 'chan', 'source');
      const liveOut = path.join(base, 'live-maps');
      const freshOut = path.join(base, 'fresh-maps');
      try {
        for (let i = 0; i < HOURS; i++) {
          const dir = path.join(q, hourName(i));
          mkdirSync(dir, { recursive: true });
          // hours that start a little late (a start-of-hour hole that looks back at the hour
          // before) and that end a little early or right at the end (the next hour's hole)
          const first = (i % 3) * 1_000_000;
          for (let k = 0; k < 3; k++)
            writeFileSync(path.join(dir, formatSegmentName(first + k * 2_000_000, 2_000_000, 'full', `s${i}x${k}`.padEnd(8, 'A'))), '');
          if (i % 2 === 0) writeFileSync(path.join(dir, formatSegmentName(3_598_000_000, 2_000_000, 'full', `e${i}`.padEnd(8, 'A'))), '');
        }
        const d = await startDaemon(['chan', '--base-dir', storeBase, '--output-dir', liveOut, '--check-interval', '3600'], {
          readyTimeoutMs: 2 * WAIT_MS,
        });
        try {
          await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), 2 * WAIT_MS, 100);
          const done: string[] = [];
          for (let i = 0; i < 80; i++) {
            done.push(mutate(q, rand));
            if (rand() < 0.3) await new Promise((r) => setTimeout(r, Math.floor(rand() * 60)));
          }
          const textfile = path.join(base, 'fresh.prom');
          let expected = '';
          let got = '';
          await waitFor(
            'live state to equal a fresh --run-once',
            async () => {
              const r = await runCli(
                ['chan', '--base-dir', storeBase, '--output-dir', freshOut, '--run-once', '--textfile', textfile, '--metrics-port', '0'],
                { timeoutMs: 2 * WAIT_MS },
              );
              assert.equal(r.code, 0, r.stderr);
              expected = coverageSeries(await readFile(textfile, 'utf8'));
              got = coverageSeries(await (await fetch(`${d.url}/metrics`)).text());
              return got === expected ? true : undefined;
            },
            2 * WAIT_MS,
            500,
          ).catch(() => {
            // only the series that differ: the whole text of 720 hours is unreadable
            const g = new Set(got.split('\n'));
            const e = new Set(expected.split('\n'));
            const onlyLive = [...g].filter((l) => !e.has(l)).slice(0, 20);
            const onlyFresh = [...e].filter((l) => !g.has(l)).slice(0, 20);
            assert.deepEqual(onlyLive, onlyFresh, `live gauges differ from a fresh pass after:\n${done.join('\n')}`);
          });
          assert.ok(expected.split('\n').length > HOURS * 10, 'the comparison covers every hour');
          const mapName = 'chan_source_coverage.png';
          await waitFor(
            'maps equal',
            async () => {
              const freshMap = await readFile(path.join(freshOut, mapName));
              const liveMap = existsSync(path.join(liveOut, mapName)) ? await readFile(path.join(liveOut, mapName)) : null;
              return liveMap !== null && freshMap.equals(liveMap) ? true : undefined;
            },
            WAIT_MS,
            200,
          );
          const m = parseProm(await (await fetch(`${d.url}/metrics`)).text());
          assert.ok((m.get('segcov_live_updates_total{channel="chan",quality="source"}') ?? 0) > 0, 'updates came from the watcher');
          assert.equal(
            m.get('segcov_passes_total{channel="chan",quality="source"}'),
            2,
            'no full pass ran besides the first and the catch-up',
          );
        } finally {
          const { code } = await d.stop();
          assert.equal(code, 0);
        }
      } finally {
        await rm(base, { recursive: true, force: true });
      }
    });
  }
});
