import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { seededRandom } from '../../src/demo/random.js';
import { formatSegmentName } from '../../src/store/segmentName.js';
import { parseProm, runCli, startDaemon, waitFor } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

const HOURS = ['2026-11-01T00', '2026-11-01T01', '2026-11-01T02', '2026-11-01T03', '2026-11-01T04'];
const TYPES = ['full', 'full', 'full', 'full', 'suspect', 'partial', 'temp'] as const;

/** Coverage series only (SPEC §4), as a sorted text, for comparing two scrapes. */
function coverageSeries(text: string): string {
  return [...parseProm(text).entries()]
    .filter(([k]) => !k.startsWith('segcov_') && !k.startsWith('process_') && !k.startsWith('nodejs_'))
    .map(([k, v]) => `${k} ${v}`).sort().join('\n');
}

function randomSegment(rand: () => number): string {
  const slot = Math.floor(rand() * 60);
  const offsetUs = slot * 2_000_000 + (rand() < 0.2 ? Math.floor(rand() * 30_000) : 0);
  const durUs = rand() < 0.8 ? 2_000_000 : Math.floor(500_000 + rand() * 3_000_000);
  const type = TYPES[Math.floor(rand() * TYPES.length)];
  const hash = Math.floor(rand() * 1e6).toString(36).padEnd(4, 'x');
  return formatSegmentName(offsetUs, durUs, type, hash);
}

/** One random change to the store; returns what it did (for failure messages). */
function mutate(base: string, rand: () => number): string {
  const q = path.join(base, 'chan', 'source');
  const present = existsSync(q) ? readdirSync(q).filter((h) => HOURS.includes(h)) : [];
  const r = rand();
  if (r < 0.08 || present.length === 0) {
    const h = HOURS[Math.floor(rand() * HOURS.length)];
    mkdirSync(path.join(q, h), { recursive: true });
    writeFileSync(path.join(q, h, randomSegment(rand)), 'x'.repeat(Math.floor(rand() * 50)));
    return `new hour ${h}`;
  }
  const h = present[Math.floor(rand() * present.length)];
  const dir = path.join(q, h);
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  if (r < 0.12) {
    rmSync(dir, { recursive: true, force: true });
    return `remove hour ${h}`;
  }
  if (r < 0.3 && files.length > 0) {
    const f = files[Math.floor(rand() * files.length)];
    rmSync(path.join(dir, f));
    return `delete ${h}/${f}`;
  }
  if (r < 0.4 && files.length > 0) {
    const f = files[Math.floor(rand() * files.length)];
    writeFileSync(path.join(dir, f.replace(/\.ts$/, '.tombstone')), '');
    return `tombstone ${h}/${f}`;
  }
  const name = randomSegment(rand);
  if (rand() < 0.5) {
    writeFileSync(path.join(dir, name), 'x'.repeat(Math.floor(rand() * 50)));
  } else {
    // as recorders do: a hidden temporary name renamed into place
    const tmp = path.join(dir, `.${name}.part`);
    writeFileSync(tmp, 'x'.repeat(Math.floor(rand() * 50)));
    rmSync(path.join(dir, name), { force: true });
    writeFileSync(path.join(dir, name), 'x'.repeat(Math.floor(rand() * 50)));
    rmSync(tmp);
  }
  return `add ${h}/${name}`;
}

describe('live mode equals a fresh pass', () => {
  for (const seed of [11, 12, 13]) {
    it(`random adds, deletes, tombstones, new and removed hours (seed ${seed})`, async () => {
      const rand = seededRandom(seed);
      const base = await makeTmpDir(`prop${seed}`);
      const liveOut = path.join(base, 'live-maps');
      const freshOut = await makeTmpDir(`prop${seed}-fresh`);
      const storeBase = path.join(base, 'store');
      try {
        for (let i = 0; i < 20; i++) mutate(storeBase, rand);
        // check-interval far away: only watch events can bring the daemon up to date
        const d = await startDaemon(['chan', '--base-dir', storeBase, '--output-dir', liveOut, '--check-interval', '3600']);
        try {
          await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined));
          const done: string[] = [];
          for (let i = 0; i < 60; i++) {
            done.push(mutate(storeBase, rand));
            if (rand() < 0.3) await new Promise((r) => setTimeout(r, Math.floor(rand() * 40)));
          }
          const textfile = path.join(freshOut, 'fresh.prom');
          let expected = '';
          let got = '';
          await waitFor('live state to equal a fresh --run-once', async () => {
            const r = await runCli(['chan', '--base-dir', storeBase, '--output-dir', freshOut, '--run-once', '--textfile', textfile, '--metrics-port', '0']);
            assert.equal(r.code, 0, r.stderr);
            expected = coverageSeries(await readFile(textfile, 'utf8'));
            got = coverageSeries(await (await fetch(`${d.url}/metrics`)).text());
            return got === expected ? true : undefined;
          }, 8000, 300).catch(() => {
            assert.equal(got, expected, `live gauges differ from a fresh pass after:\n${done.join('\n')}`);
          });
          const mapName = 'chan_source_coverage.png';
          await waitFor('maps equal', async () => {
            const freshMap = existsSync(path.join(freshOut, mapName)) ? await readFile(path.join(freshOut, mapName)) : null;
            const liveMap = existsSync(path.join(liveOut, mapName)) ? await readFile(path.join(liveOut, mapName)) : null;
            return (freshMap === null && liveMap === null) || (freshMap !== null && liveMap !== null && freshMap.equals(liveMap)) ? true : undefined;
          }, 5000, 100);
          const m = parseProm(await (await fetch(`${d.url}/metrics`)).text());
          assert.ok((m.get('segcov_live_updates_total{channel="chan",quality="source"}') ?? 0) > 0, 'updates came from the watcher');
          assert.equal(m.get('segcov_watcher_degraded'), 0);
        } finally {
          const { code } = await d.stop();
          assert.equal(code, 0);
        }
      } finally {
        await rm(base, { recursive: true, force: true });
        await rm(freshOut, { recursive: true, force: true });
      }
    });
  }
});
