import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { DAEMON_OPTIONS, resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { createDaemon, firstPass, passAll } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/log.js';
import { coldPassThreads, HourWorkerPool, MIN_HOURS_FOR_WORKERS, prestartHourWorkers, prestartedWorkers } from '../../src/scan/hourWorkerPool.js';
import { formatHourName } from '../../src/store/hourName.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const HOURS = 300;
const FIRST = Date.UTC(2026, 10, 1) * 1000;
const hourAt = (i: number): string => formatHourName(FIRST + i * 3_600_000_000);

/** Daemon parts on `base` (no server), logging into `lines`; `onLine` sees each line as written. */
function partsOn(base: string, extra: Record<string, unknown>, onLine: (line: string) => void = () => {}, level = 'warn') {
  const defaults: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(DAEMON_OPTIONS)) if ('default' in o) defaults[k] = o.default;
  const config = resolveDaemonConfig({
    ...defaults, 'output-dir': '/nonexistent-never-written', channels: ['chan'], 'base-dir': base, 'metrics-port': 0, ...extra,
  });
  const lines: string[] = [];
  const sink = new Writable({ write(c: Buffer, _e, cb) { const l = c.toString(); lines.push(l); onLine(l); cb(); } });
  return { parts: createDaemon(config, createLogger(level, sink)), lines };
}

async function passes(parts: ReturnType<typeof createDaemon>): Promise<number> {
  const m = await parts.metrics.passes.get();
  return m.values.find((v) => v.labels.quality === 'source')?.value ?? 0;
}

describe("the daemon's first pass on worker threads", () => {
  for (const threads of [0, 1]) it(`gives the gauges of the in-process pass (--cold-threads ${threads}), and leaves no worker thread behind`, async () => {
    const base = await makeTmpDir('firstpass');
    try {
      for (let i = 0; i < 40; i++) fillHour(base, 'chan', 'source', hourAt(i), 0, 200, new Set([i * 2]));
      putSegment(base, 'chan', 'source', hourAt(3), 'bad-name.ts');
      const threaded = partsOn(base, { 'cold-threads': threads });
      prestartHourWorkers(1); // as the CLI does: taken by the pass's pool, or ended after it
      await firstPass(threaded.parts);
      assert.equal(HourWorkerPool.running, 0, 'workers end with the pass, prestarted ones too');
      assert.equal(prestartedWorkers(), 0);
      const alone = partsOn(base, {});
      await passAll(alone.parts);
      const text = threaded.parts.gauges.text();
      assert.match(text, /raw_coverage\{channel="chan",hour="2026-11-01T05",quality="source"\} 198/);
      assert.equal(text, alone.parts.gauges.text());
      assert.equal(threaded.lines.filter((l) => l.includes('bad_name')).length, 1, 'the bad name reported once');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('reads a store of fewer hour folders than MIN_HOURS_FOR_WORKERS on the main thread alone, a bigger one beside workers', async () => {
    const base = await makeTmpDir('firstpass-lanes');
    try {
      for (let i = 0; i < 40; i++) fillHour(base, 'chan', 'source', hourAt(i), 0, 3);
      const lanes = async (): Promise<{ hourFolders: number; workers: number; segments: number }> => {
        const { parts, lines } = partsOn(base, {}, undefined, 'debug');
        await firstPass(parts);
        const logged = lines.map((l) => JSON.parse(l) as { msg: string; hourFolders: number; workers: number });
        const chosen = logged.find((l) => l.msg === 'first pass lanes');
        assert.ok(chosen !== undefined, 'the choice is logged');
        const m = await parts.metrics.segments.get();
        return { hourFolders: chosen.hourFolders, workers: chosen.workers, segments: m.values[0]?.value ?? NaN };
      };
      assert.deepEqual(await lanes(), { hourFolders: 40, workers: 0, segments: 80 }, 'a small store: one lane, whatever the cores');
      for (let i = 40; i < MIN_HOURS_FOR_WORKERS; i++) mkdirSync(path.join(base, 'chan', 'source', hourAt(i)));
      assert.deepEqual(await lanes(), { hourFolders: MIN_HOURS_FOR_WORKERS, workers: coldPassThreads(availableParallelism()), segments: 80 }, 'from the threshold up: the cores decide');
      assert.equal(HourWorkerPool.running, 0, 'no worker thread lingers');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('stops early when asked to stop during the pass (SIGTERM), publishing nothing and ending its workers', async () => {
    const base = await makeTmpDir('firstpass-stop');
    try {
      for (let i = 0; i < HOURS; i++) {
        fillHour(base, 'chan', 'source', hourAt(i), 0, 4);
        putSegment(base, 'chan', 'source', hourAt(i), 'bad-name.ts');
      }
      // the stop comes as the first batch read reports its problems: the pass is under way
      let stopAsked = false;
      const { parts } = partsOn(base, { 'cold-threads': 1 }, (line) => {
        if (line.includes('bad_name') && !stopAsked) {
          stopAsked = true;
          parts.stop.stop();
        }
      });
      await firstPass(parts);
      assert.ok(stopAsked, 'stopped during the pass');
      assert.equal(await passes(parts), 0, 'the stopped pass is not published');
      assert.equal(parts.state.list().length, 0);
      assert.equal(HourWorkerPool.running, 0, 'no worker thread lingers');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
