import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { seededRandom } from '../../src/demo/random.js';
import { formatSegmentName } from '../../src/store/segmentName.js';
import { runCli, startDaemon, waitFor, type RunningDaemon, WAIT_MS } from '../helpers/cli.js';
import { makeInodeReusingTmpDir, scrape, waitUntilLiveMatches } from './liveHarness.js';

const CHANNELS = ['chan', 'chan2'];
const QUALITIES = ['source', '480p'];
const HOURS = ['2026-11-01T00', '2026-11-01T01', '2026-11-01T02', '2026-11-01T03'];
const TYPES = ['full', 'full', 'full', 'full', 'suspect', 'partial', 'temp'] as const;
const CHANGES = 100;

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

function randomSegment(rand: () => number): string {
  const slot = Math.floor(rand() * 40);
  const offsetUs = slot * 2_000_000 + (rand() < 0.2 ? Math.floor(rand() * 30_000) : 0);
  const durUs = rand() < 0.8 ? 2_000_000 : Math.floor(500_000 + rand() * 3_000_000);
  const type = pick(rand, TYPES);
  const hash = Math.floor(rand() * 1e6)
    .toString(36)
    .padEnd(4, 'x');
  return formatSegmentName(offsetUs, durUs, type, hash);
}

const body = (rand: () => number): string => 'x'.repeat(Math.floor(rand() * 50));

/**
 * One random store change. Folder re-creation cycles come back as several steps, each to
 * be observed (live == run-once) before the next: removed, then re-created (tmpfs/ext4
 * give the new folder the old inode), sometimes removed and re-created twice at once.
 */
function change(base: string, rand: () => number): { what: string; steps: (() => string)[] } {
  const channel = pick(rand, CHANNELS);
  const quality = pick(rand, QUALITIES);
  const q = path.join(base, channel, quality);
  const present = existsSync(q) ? readdirSync(q).filter((h) => HOURS.includes(h)) : [];
  const r = rand();
  const fill = (dir: string): void => {
    mkdirSync(dir, { recursive: true });
    for (let i = 0, n = 1 + Math.floor(rand() * 3); i < n; i++) writeFileSync(path.join(dir, randomSegment(rand)), body(rand));
  };
  if (r < 0.06 || present.length === 0) {
    const h = pick(rand, HOURS);
    return {
      what: `new hour ${channel}/${quality}/${h}`,
      steps: [
        () => {
          fill(path.join(q, h));
          return 'made';
        },
      ],
    };
  }
  const h = pick(rand, present);
  const dir = path.join(q, h);
  // re-creation cycles of an hour, a quality or a channel folder
  if (r < 0.2) {
    const target = r < 0.12 ? dir : r < 0.17 ? q : path.join(base, channel);
    const rel = path.relative(base, target);
    const remake = (): void =>
      fill(target === dir ? dir : path.join(target, ...(target === q ? [pick(rand, HOURS)] : [pick(rand, QUALITIES), pick(rand, HOURS)])));
    if (rand() < 0.4) {
      return {
        what: `remove and re-create ${rel} twice at once`,
        steps: [
          () => {
            rmSync(target, { recursive: true, force: true });
            mkdirSync(target, { recursive: true });
            rmSync(target, { recursive: true, force: true });
            mkdirSync(target, { recursive: true });
            remake();
            return 'removed, re-created, removed, re-created, filled';
          },
        ],
      };
    }
    return {
      what: `remove and re-create ${rel}`,
      steps: [
        () => {
          rmSync(target, { recursive: true, force: true });
          return 'removed';
        },
        () => {
          mkdirSync(target, { recursive: true });
          return 're-created empty';
        },
        () => {
          remake();
          return 'filled';
        },
      ],
    };
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  if (r < 0.32 && files.length > 0) {
    const f = pick(rand, files);
    return {
      what: `delete ${path.relative(base, dir)}/${f}`,
      steps: [
        () => {
          rmSync(path.join(dir, f));
          return 'done';
        },
      ],
    };
  }
  if (r < 0.4 && files.length > 0) {
    const f = pick(rand, files);
    return {
      what: `tombstone ${path.relative(base, dir)}/${f}`,
      steps: [
        () => {
          writeFileSync(path.join(dir, f.replace(/\.ts$/, '.tombstone')), '');
          return 'done';
        },
      ],
    };
  }
  if (r < 0.5 && files.length > 0) {
    const f = pick(rand, files);
    const size = Math.floor(rand() * 60);
    return {
      what: `resize ${path.relative(base, dir)}/${f} to ${size} bytes in place`,
      steps: [
        () => {
          truncateSync(path.join(dir, f), size);
          return 'done';
        },
      ],
    };
  }
  const name = randomSegment(rand);
  if (rand() < 0.5) {
    return {
      what: `add ${path.relative(base, dir)}/${name}`,
      steps: [
        () => {
          writeFileSync(path.join(dir, name), body(rand));
          return 'done';
        },
      ],
    };
  }
  // as recorders do: a hidden temporary name renamed into place
  return {
    what: `add ${path.relative(base, dir)}/${name} via a temp file`,
    steps: [
      () => {
        const tmp = path.join(dir, `.${name}.part`);
        writeFileSync(tmp, body(rand));
        rmSync(path.join(dir, name), { force: true });
        writeFileSync(path.join(dir, name), body(rand));
        rmSync(tmp);
        return 'done';
      },
    ],
  };
}

async function mismatchesSoFar(d: RunningDaemon): Promise<number> {
  let n = 0;
  for (const [k, v] of await scrape(d)) if (k.startsWith('segcov_live_mismatches_total')) n += v;
  return n;
}

describe('live mode equals a fresh pass', () => {
  for (const seed of [11, 12, 13]) {
    it(`${CHANGES} random changes incl. hour, quality and channel folders removed and re-created (seed ${seed})`, async () => {
      const rand = seededRandom(seed);
      const root = await makeInodeReusingTmpDir(`prop${seed}`);
      const liveOut = path.join(root, 'live-maps');
      const freshOut = path.join(root, 'fresh-maps');
      const store = path.join(root, 'store');
      try {
        for (let i = 0; i < 20; i++) for (const s of change(store, rand).steps) s();
        // check-interval far away: no periodic pass runs, only the watch brings the daemon up
        // to date, and only this test's comparison judges it
        const d = await startDaemon([
          ...CHANNELS,
          '--qualities',
          QUALITIES.join(','),
          '--base-dir',
          store,
          '--output-dir',
          liveOut,
          '--check-interval',
          '86400',
        ]);
        try {
          await waitFor('watching', async () => (d.stderr().includes('watching the store') ? true : undefined), WAIT_MS);
          const done: string[] = [];
          let batch = 0;
          const check = async (): Promise<void> => {
            await waitUntilLiveMatches(d, store, CHANNELS, QUALITIES, () => done.slice(-30).join('\n'));
            assert.equal(await mismatchesSoFar(d), 0, 'segcov_live_mismatches_total stays 0');
            batch = 0;
          };
          let cycles = 0;
          for (let i = 0; i < CHANGES; i++) {
            const c = change(store, rand);
            if (c.steps.length > 1 || c.what.includes('re-create')) {
              // a re-creation cycle: every step is observed
              cycles++;
              for (const s of c.steps) {
                done.push(`${c.what}: ${s()}`);
                await check();
              }
              continue;
            }
            done.push(`${c.what}: ${c.steps[0]()}`);
            if (++batch >= 1 + Math.floor(rand() * 6)) await check();
          }
          await check();
          assert.ok(cycles >= 10, `re-creation cycles ran (${cycles})`);

          // the maps too, against a real --run-once
          const r = await runCli([
            ...CHANNELS,
            '--qualities',
            QUALITIES.join(','),
            '--base-dir',
            store,
            '--output-dir',
            freshOut,
            '--run-once',
            '--metrics-port',
            '0',
          ]);
          assert.equal(r.code, 0, r.stderr);
          for (const channel of CHANNELS)
            for (const quality of QUALITIES) {
              const mapName = `${channel}_${quality}_coverage.png`;
              await waitFor(
                `map ${mapName} equal`,
                async () => {
                  const fresh = existsSync(path.join(freshOut, mapName)) ? await readFile(path.join(freshOut, mapName)) : null;
                  const live = existsSync(path.join(liveOut, mapName)) ? await readFile(path.join(liveOut, mapName)) : null;
                  return (fresh === null && live === null) || (fresh !== null && live !== null && fresh.equals(live)) ? true : undefined;
                },
                WAIT_MS,
                100,
              );
            }
          const m = await scrape(d);
          assert.ok(
            [...m.entries()].some(([k, v]) => k.startsWith('segcov_live_updates_total') && v > 0),
            'updates came from the watcher',
          );
          assert.equal(m.get('segcov_watcher_degraded'), 0);
          assert.equal(await mismatchesSoFar(d), 0);
          assert.equal(m.get('segcov_passes_total{channel="chan",quality="source"}') !== undefined, true);
        } finally {
          const { code } = await d.stop();
          assert.equal(code, 0);
        }
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  }
});
