import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { DAEMON_OPTIONS } from '../../src/cli/daemonFlags.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { firstPass, passAll } from '../../src/daemon/passes.js';
import { createLogger } from '../../src/log.js';
import { formatHourName } from '../../src/store/hourName.js';
import { fillHour, putSegment } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const HOURS = 300;
const FIRST = Date.UTC(2026, 10, 1) * 1000;
const hourAt = (i: number): string => formatHourName(FIRST + i * 3_600_000_000);

/** Daemon parts on `base` (no server), logging into `lines`; `onLine` sees each line as written. */
function partsOn(base: string, extra: Record<string, unknown>, onLine: (line: string) => void = () => {}) {
  const defaults: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(DAEMON_OPTIONS)) if ('default' in o) defaults[k] = o.default;
  const config = resolveDaemonConfig({
    ...defaults,
    'output-dir': '/nonexistent-never-written',
    channels: ['chan'],
    'base-dir': base,
    'metrics-port': 0,
    ...extra,
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      const l = c.toString();
      lines.push(l);
      onLine(l);
      cb();
    },
  });
  return { parts: createDaemon(config, createLogger('warn', sink)), lines };
}

async function passes(parts: ReturnType<typeof createDaemon>): Promise<number> {
  const m = await parts.metrics.passes.get();
  return m.values.find((v) => v.labels.quality === 'source')?.value ?? 0;
}

describe("the daemon's first pass (in batches)", () => {
  it('gives the gauges of a later (async) pass, each problem reported once', async () => {
    const base = await makeTmpDir('firstpass');
    try {
      for (let i = 0; i < 40; i++) fillHour(base, 'chan', 'source', hourAt(i), 0, 200, new Set([i * 2]));
      putSegment(base, 'chan', 'source', hourAt(3), 'bad-name.ts');
      const batched = partsOn(base, {});
      await firstPass(batched.parts);
      const alone = partsOn(base, {});
      await passAll(alone.parts);
      const text = batched.parts.gauges.text();
      assert.match(text, /raw_coverage\{channel="chan",hour="2026-11-01T05",quality="source"\} 198/);
      assert.equal(text, alone.parts.gauges.text());
      assert.equal(batched.lines.filter((l) => l.includes('bad_name')).length, 1, 'the bad name reported once');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('stops early when asked to stop during the pass (SIGTERM), publishing nothing', async () => {
    const base = await makeTmpDir('firstpass-stop');
    try {
      for (let i = 0; i < HOURS; i++) {
        fillHour(base, 'chan', 'source', hourAt(i), 0, 4);
        putSegment(base, 'chan', 'source', hourAt(i), 'bad-name.ts');
      }
      // the stop comes as the first batch read reports its problems: the pass is under way
      let stopAsked = false;
      const { parts } = partsOn(base, {}, (line) => {
        if (line.includes('bad_name') && !stopAsked) {
          stopAsked = true;
          parts.stop.stop();
        }
      });
      await firstPass(parts);
      assert.ok(stopAsked, 'stopped during the pass');
      assert.equal(await passes(parts), 0, 'the stopped pass is not published');
      assert.equal(parts.state.list().length, 0);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
