import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkJson } from '../../src/cli/checkReport.js';
import { runCheck } from '../../src/cli/checkPass.js';
import { resolveCheckOptions } from '../../src/cli/commands/check.js';
import { resolveDaemonConfig } from '../../src/cli/daemonOptions.js';
import { severityRules } from '../../src/config/daemonConfig.js';
import { createDaemon } from '../../src/daemon/daemon.js';
import { passAll } from '../../src/daemon/passes.js';
import { silentLogger } from '../../src/log.js';
import { WindowGauges } from '../../src/outputs/metrics/windowGauges.js';
import { holesJson } from '../../src/web/coverageApi.js';
import { formatDuration } from '../../src/web/format.js';
import { summarizeQuality } from '../../src/web/qualitySummary.js';
import { cleanEnv, parseProm, runCli, startDaemon, waitFor } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { buildStore, type StoreSpec } from '../web/helpers/webFixture.js';

/**
 * Issue 11: every surface (status page, /api/v1/holes, /api/v1/coverage, the
 * segcov_window_* gauges, the --textfile) tells the same hole count and hole seconds as
 * `segcov check --json` on the same store and window. That equality is the test.
 */

/** A demo-like store. source: hour 13 missing, a 30 s gap at 14:20, ends 15:40 (long before now). */
const SPEC: StoreSpec = {
  demo: {
    source: {
      '2026-11-01T10': [[0, 3600, 10, 'full']],
      '2026-11-01T11': [[0, 3600, 10, 'full']],
      '2026-11-01T12': [[0, 3600, 10, 'full']],
      '2026-11-01T14': [
        [0, 1200, 10, 'full'],
        [1230, 3600, 10, 'full'],
      ],
      '2026-11-01T15': [[0, 2400, 10, 'full']],
    },
    '480p': {
      '2026-11-01T10': [[0, 3600, 10, 'full']],
      '2026-11-01T11': [[0, 3600, 10, 'full']],
      '2026-11-01T12': [[0, 3600, 10, 'full']],
      '2026-11-01T13': [[0, 3600, 10, 'full']],
      '2026-11-01T14': [[0, 3600, 10, 'full']],
      '2026-11-01T15': [[0, 2400, 10, 'partial']],
    },
    // 360p: one 20 s gap at 12:20 (warn: shorter than the default --long-hole).
    '360p': {
      '2026-11-01T10': [[0, 3600, 10, 'full']],
      '2026-11-01T11': [[0, 3600, 10, 'full']],
      '2026-11-01T12': [
        [0, 1200, 10, 'full'],
        [1220, 3600, 10, 'full'],
      ],
      '2026-11-01T13': [[0, 1800, 10, 'full']],
    },
    // 720p: nothing recorded at all (no folder): the empty window.
  },
};
const QUALITIES = ['source', '480p', '360p', '720p'];

interface Scenario {
  readonly name: string;
  readonly daemon: string[];
  readonly check: string[];
  /** Expected holes of source, so the equality is not between two equally wrong answers. */
  readonly sourceHoles: number;
  readonly sourceHoleSeconds: number;
  /** Default: all of them. */
  readonly qualities?: string[];
  /** Expected state of each quality (issue 25), so the equality is not between two equally wrong answers. */
  readonly states: Record<string, string>;
  /** Extra environment of the daemon. */
  readonly env?: NodeJS.ProcessEnv;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'no window flags: the missing hour and the gap; the store ends before now, no tail hole',
    daemon: [],
    check: [],
    sourceHoles: 2,
    sourceHoleSeconds: 3630,
    states: { source: 'bad', '480p': 'ok', '360p': 'warn', '720p': 'bad' },
  },
  {
    name: 'a window whose first and last hours are missing',
    daemon: ['--first-hour', '2026-11-01T09', '--last-hour', '2026-11-01T16'],
    check: ['--since', '2026-11-01T09:00:00Z', '--until', '2026-11-01T17:00:00Z'],
    sourceHoles: 4,
    sourceHoleSeconds: 3600 + 3600 + 30 + 4800,
    states: { source: 'bad', '480p': 'bad', '360p': 'bad', '720p': 'bad' },
  },
  {
    name: 'a window start only: the store ends before now and the live edge is not a hole',
    daemon: ['--first-hour', '2026-11-01T10'],
    check: ['--since', '2026-11-01T10:00:00Z'],
    sourceHoles: 2,
    sourceHoleSeconds: 3630,
    // Not 720p: with nothing recorded its window runs to now, which moves between two processes
    // (the in-process test below pins now for that case).
    qualities: ['source', '480p', '360p'],
    states: { source: 'bad', '480p': 'ok', '360p': 'warn' },
  },
  {
    name: 'a --long-hole of 15 s (flag for check, SEGCOV_LONG_HOLE for the daemon): the 20 s gap is bad everywhere',
    daemon: [],
    check: ['--long-hole', '15'],
    env: { SEGCOV_LONG_HOLE: '15' },
    sourceHoles: 2,
    sourceHoleSeconds: 3630,
    states: { source: 'bad', '480p': 'ok', '360p': 'bad', '720p': 'bad' },
  },
];

interface Figures {
  holes: number;
  seconds: number;
}
type ByQuality = Record<string, Figures>;

function fromCheckJson(body: unknown): ByQuality {
  const out: ByQuality = {};
  for (const q of (body as { qualities: { quality: string; holes: unknown[]; hole_duration: number }[] }).qualities) {
    out[q.quality] = { holes: q.holes.length, seconds: q.hole_duration };
  }
  return out;
}

function fromProm(text: string, qualities = QUALITIES): ByQuality {
  const m = parseProm(text);
  const out: ByQuality = {};
  for (const q of qualities) {
    const holes = m.get(`segcov_window_holes{channel="demo",quality="${q}"}`);
    const seconds = m.get(`segcov_window_hole_seconds{channel="demo",quality="${q}"}`);
    assert.ok(holes !== undefined && seconds !== undefined, `no segcov_window_* series for ${q} in:\n${text}`);
    out[q] = { holes, seconds };
  }
  return out;
}

function fromHolesApi(body: unknown): ByQuality {
  const out: ByQuality = {};
  for (const e of (body as { holes: { quality: string; raw_holes: { duration: number }[] }[] }).holes) {
    out[e.quality] = { holes: e.raw_holes.length, seconds: e.raw_holes.reduce((s, x) => s + x.duration, 0) };
  }
  return out;
}

function fromCoverageApi(body: unknown): ByQuality {
  const out: ByQuality = {};
  for (const q of (body as { channels: { qualities: { quality: string; raw_holes: number; raw_hole_duration: number }[] }[] }).channels[0]
    .qualities) {
    out[q.quality] = { holes: q.raw_holes, seconds: q.raw_hole_duration };
  }
  return out;
}

/**
 * The hole count and formatted total each quality card of the page shows, in page order:
 * the page draws its cards from the data embedded in it (hole_count, and hole_us through
 * the same formatting as format.ts, which a Chromium test holds equal).
 */
function fromPage(html: string): { holes: number; total: string }[] {
  return pageData(html).qualities.map((q) => ({ holes: q.hole_count, total: formatDuration(q.hole_us) }));
}

/** The data the page embeds. */
function pageData(html: string): { qualities: { quality: string; state: string | null; hole_count: number; hole_us: number }[] } {
  const m = /<script type="application\/json" id="segcov-data">([^<]*)<\/script>/.exec(html);
  assert.ok(m !== null, 'the page embeds its data');
  return JSON.parse(m[1]) as ReturnType<typeof pageData>;
}

type States = Record<string, string | null>;
const STATE_NAMES = ['ok', 'warn', 'bad'];

function statesOf(entries: readonly { quality: string; state: string | null }[]): States {
  const out: States = {};
  for (const e of entries) out[e.quality] = e.state;
  return out;
}

function statesFromProm(text: string, qualities: readonly string[]): States {
  const m = parseProm(text);
  const out: States = {};
  for (const q of qualities) {
    const v = m.get(`segcov_window_state{channel="demo",quality="${q}"}`);
    assert.ok(v !== undefined, `no segcov_window_state for ${q}`);
    out[q] = STATE_NAMES[v];
  }
  return out;
}

/** Sums of µs-exact seconds can differ in the last float bit; compare to the microsecond. */
function rounded(b: ByQuality): ByQuality {
  const out: ByQuality = {};
  for (const [q, f] of Object.entries(b)) out[q] = { holes: f.holes, seconds: Math.round(f.seconds * 1e6) / 1e6 };
  return out;
}

describe('every surface gives the same holes as `segcov check --json` (issue 11)', () => {
  let dir: string;
  let store: string;

  before(async () => {
    dir = await makeTmpDir('agree');
    store = path.join(dir, 'store');
    await buildStore(store, SPEC);
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  for (const sc of SCENARIOS) {
    it(`${sc.name}: check, page, API, gauges and textfile agree`, async () => {
      const qs = sc.qualities ?? QUALITIES;
      const checked = await runCli(['check', 'demo', '--base-dir', store, '--qualities', qs.join(','), '--json', ...sc.check], {
        env: cleanEnv(),
      });
      assert.equal(checked.code, 1, checked.stderr);
      const checkBody = JSON.parse(checked.stdout) as { qualities: { quality: string; state: string }[] };
      const expected = rounded(fromCheckJson(checkBody));
      assert.deepEqual(expected.source, { holes: sc.sourceHoles, seconds: sc.sourceHoleSeconds });
      const states = statesOf(checkBody.qualities);
      assert.deepEqual(states, sc.states, 'check --json states');

      const textfile = path.join(dir, `metrics-${SCENARIOS.indexOf(sc)}.prom`);
      const d = await startDaemon(
        [
          'demo',
          '--base-dir',
          store,
          '--qualities',
          qs.join(','),
          '--textfile',
          textfile,
          '--no-watch',
          '--log-level',
          'error',
          ...sc.daemon,
        ],
        { readyTimeoutMs: 60_000, env: cleanEnv(sc.env) },
      );
      try {
        const metrics = await (await fetch(`${d.url}/metrics`)).text();
        assert.deepEqual(rounded(fromProm(metrics, qs)), expected, '/metrics segcov_window_*');
        assert.deepEqual(statesFromProm(metrics, qs), states, '/metrics segcov_window_state');
        // Rewritten after every checker's publish: wait for the one that follows the last.
        const has = (t: string): boolean => qs.every((q) => t.includes(`segcov_window_holes{channel="demo",quality="${q}"}`));
        const text = await waitFor(
          'a complete textfile',
          async () => {
            const t = await readFile(textfile, 'utf8').catch(() => '');
            return has(t) ? t : undefined;
          },
          30_000,
        );
        assert.deepEqual(rounded(fromProm(text, qs)), expected, '--textfile');
        assert.deepEqual(statesFromProm(text, qs), states, '--textfile segcov_window_state');
        const holes = (await (await fetch(`${d.url}/api/v1/holes?channel=demo`)).json()) as { holes: { quality: string; state: string }[] };
        assert.deepEqual(rounded(fromHolesApi(holes)), expected, '/api/v1/holes');
        assert.deepEqual(statesOf(holes.holes), states, '/api/v1/holes state');
        // The backfill query: the missing hour 13 is listed, whole.
        const around = (await (
          await fetch(`${d.url}/api/v1/holes?channel=demo&quality=source&since=2026-11-01T12:50:00Z&until=2026-11-01T14:10:00Z`)
        ).json()) as { holes: { raw_holes: unknown[] }[] };
        assert.deepEqual(around.holes[0].raw_holes, [
          { start: '2026-11-01T13:00:00.000000Z', end: '2026-11-01T14:00:00.000000Z', duration: 3600, hour: '2026-11-01T13' },
        ]);
        // The fleet form (issue 13) lists the same holes, each with the peers that hold it.
        const withPeers = (await (await fetch(`${d.url}/api/v1/holes?channel=demo&peers=1`)).json()) as {
          holes: { quality: string; state: string; holes: { duration: number }[] }[];
        };
        const fleetHoles: ByQuality = {};
        for (const e of withPeers.holes)
          fleetHoles[e.quality] = { holes: e.holes.length, seconds: e.holes.reduce((a, x) => a + x.duration, 0) };
        assert.deepEqual(rounded(fleetHoles), expected, '/api/v1/holes?peers=1');
        assert.deepEqual(statesOf(withPeers.holes), states, '/api/v1/holes?peers=1 state');
        const cov = (await (await fetch(`${d.url}/api/v1/coverage?channel=demo`)).json()) as {
          channels: { qualities: { quality: string; state: string }[] }[];
        };
        assert.deepEqual(rounded(fromCoverageApi(cov)), expected, '/api/v1/coverage');
        assert.deepEqual(statesOf(cov.channels[0].qualities), states, '/api/v1/coverage state');
        const fleet = (await (await fetch(`${d.url}/api/v1/fleet`)).json()) as { qualities: { quality: string; state: string }[] };
        assert.deepEqual(statesOf(fleet.qualities), states, '/api/v1/fleet state');
        const pageText = await (await fetch(`${d.url}/`)).text();
        const page = fromPage(pageText);
        assert.deepEqual(
          page,
          qs.map((q) => ({ holes: expected[q].holes, total: formatDuration(Math.round(expected[q].seconds * 1e6)) })),
          'status page',
        );
        assert.deepEqual(
          statesOf(pageData(pageText).qualities),
          states,
          'status page data (and the SSE event, built by the same pageData)',
        );
      } finally {
        await d.stop();
      }
    });
  }

  it('a --last-hour after now: every surface cuts the window at the same now (the future is not a hole)', async () => {
    const nowUs = Date.UTC(2026, 10, 1, 16, 30) * 1000;
    const config = resolveDaemonConfig({
      channels: ['demo'],
      'base-dir': store,
      qualities: QUALITIES.join(','),
      'first-hour': '2026-11-01T10',
      'last-hour': '2026-11-01T17',
      'metrics-port': 0,
      'metrics-host': '127.0.0.1',
      'log-level': 'silent',
      'output-dir': path.join(dir, 'maps-future'),
      'pixel-length': 2,
      rows: 300,
      'check-interval': 300,
      concurrency: 2,
      'max-age': '7200',
      'long-hole': '15',
    });
    const parts = createDaemon(config, silentLogger);
    await passAll(parts);
    await Promise.all(parts.checkers.map((c) => c.flush()));
    const opts = await resolveCheckOptions({
      channels: ['demo'],
      'base-dir': store,
      qualities: QUALITIES.join(','),
      since: '2026-11-01T10:00:00Z',
      until: '2026-11-01T18:00:00Z',
      json: true,
      'max-age': 7200,
      'long-hole': 15,
    });
    const checkBody = checkJson(await runCheck(opts, nowUs), opts.window, nowUs) as {
      qualities: { quality: string; state: string; reason: string }[];
    };
    const expected = rounded(fromCheckJson(checkBody));
    // source: hour 13, the gap, and 15:40 → now (16:30); not 16:30 → 18:00.
    assert.deepEqual(expected.source, { holes: 3, seconds: 3600 + 30 + 50 * 60 });
    assert.deepEqual(expected['720p'], { holes: 1, seconds: 6.5 * 3600 });
    // states and reasons under --max-age 7200 and --long-hole 15: 360p's newest segment (13:30) is 3 h old
    const reasons: Record<string, string[]> = Object.fromEntries(checkBody.qualities.map((q) => [q.quality, [q.state, q.reason]]));
    const want: Record<string, string[]> = {
      source: ['bad', '1 missing hour'],
      '480p': ['bad', 'long hole of 50 min 00 s'],
      '360p': ['bad', 'recording stopped: newest segment ended 3 h 00 min 00 s ago'],
      '720p': ['bad', 'nothing recorded'],
    };
    assert.deepEqual(reasons, want);
    const gauges = new WindowGauges(
      () => parts.state.list(),
      () => nowUs,
      severityRules(config),
    );
    const gaugeText = await gauges.registry.metrics();
    assert.deepEqual(rounded(fromProm(gaugeText)), expected, 'gauges');
    assert.deepEqual(statesFromProm(gaugeText, QUALITIES), statesOf(checkBody.qualities), 'gauge states');
    const get = (c: string, q: string) => parts.state.get(c, q);
    const pairs = QUALITIES.map((q) => ['demo', q] as [string, string]);
    const api = holesJson(pairs, get, {}, nowUs, severityRules(config)) as { holes: { quality: string; state: string; reason: string }[] };
    assert.deepEqual(rounded(fromHolesApi(api)), expected, 'API');
    assert.deepEqual(Object.fromEntries(api.holes.map((q) => [q.quality, [q.state, q.reason]])), reasons, 'API states and reasons');
    const page: ByQuality = {};
    for (const q of QUALITIES) {
      const s = summarizeQuality('demo', q, get('demo', q), nowUs, severityRules(config));
      page[q] = { holes: s.rawHoles.length, seconds: s.rawHoleUs / 1e6 };
      assert.equal(s.coveredUs + s.rawHoleUs, s.window === null ? 0 : s.window.end - s.window.start, `${q}: percentage and holes agree`);
      assert.equal(s.state, reasons[q][0], `${q}: page summary state`);
    }
    assert.deepEqual(rounded(page), expected, 'page summary');
    const empty = summarizeQuality('demo', '720p', get('demo', '720p'), nowUs);
    assert.equal(empty.nothingRecorded, true);
    assert.equal(empty.missingHours, 6);
    // The empty window with a start only runs to now as well, in check and the core alike.
    const since = await resolveCheckOptions({ channels: ['demo'], 'base-dir': store, qualities: '720p', since: '2026-11-01T10:00:00Z' });
    const [c720] = await runCheck(since, nowUs);
    assert.deepEqual([c720.holes.length, c720.holeUs], [1, 6.5 * 3600 * 1e6]);
  });
});
