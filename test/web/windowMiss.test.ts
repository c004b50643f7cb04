import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, parseProm, startDaemon, waitFor, type RunningDaemon } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const MESSAGE = 'the window (--first-hour/--last-hour) holds none of the recording';

/** The first `event: fleet` of /api/v1/events, parsed. */
async function firstEvent(url: string): Promise<{ qualities: Record<string, unknown>[] }> {
  const ac = new AbortController();
  const res = await fetch(`${url}/api/v1/events`, { signal: ac.signal });
  assert.ok(res.body !== null);
  const reader = res.body.getReader();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream ended before an event');
      text += Buffer.from(value).toString('utf8');
      const m = /event: fleet\ndata: (.*)\n\n/.exec(text);
      if (m !== null) return JSON.parse(m[1]) as { qualities: Record<string, unknown>[] };
    }
  } finally {
    ac.abort();
  }
}

/**
 * Issue 25: wubloader's compose passes placeholder `coverage_start`/`coverage_end`
 * (1969-12-31 to 1970-01-07) as --first-hour/--last-hour. The daemon then says, once per
 * pair, in its log and in every answer, that the window holds none of the recording.
 */
describe('a window that holds none of the recording is said out loud (issue 25)', () => {
  let dir: string;
  let store: string;
  let d: RunningDaemon;

  before(async () => {
    dir = await makeTmpDir('window-miss');
    store = path.join(dir, 'store');
    for (const h of ['10', '11', '12', '13']) {
      fillHour(store, 'c', 'source', `2026-11-01T${h}`, 0, 3600);
      if (h !== '12') fillHour(store, 'c', '480p', `2026-11-01T${h}`, 0, 3600);
    }
    d = await startDaemon(
      [
        'c',
        '--base-dir',
        store,
        '--qualities',
        'source,480p',
        '--first-hour',
        '1969-12-31T00:00:00Z',
        '--last-hour',
        '1970-01-07T00:00:00Z',
        '--no-watch',
        '--check-interval',
        '0.2',
        '--log-level',
        'warn',
      ],
      { env: cleanEnv() },
    );
  });
  after(async () => {
    await d?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('logs one warning per pair, naming the window and the span recorded, however many passes run', async () => {
    // several periodic passes later
    await waitFor('three more passes of each pair', async () => {
      const m = parseProm(await (await fetch(`${d.url}/metrics`)).text());
      return ['source', '480p'].every((q) => (m.get(`segcov_passes_total{channel="c",quality="${q}"}`) ?? 0) >= 4) ? true : undefined;
    });
    const lines = d
      .stderr()
      .split('\n')
      .filter((l) => l.includes(MESSAGE))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l.quality).sort(), ['480p', 'source']);
    for (const l of lines) {
      assert.equal(l.level, 'warn');
      assert.deepEqual(l.window, { start: '1969-12-31T00:00:00.000000Z', end: '1970-01-07T01:00:00.000000Z' });
      assert.deepEqual(l.recorded, { start: '2026-11-01T10:00:00.000000Z', end: '2026-11-01T14:00:00.000000Z' });
    }
  });

  it('every answer carries the state, the reason and what was recorded; the window gauges still tell the truth', async () => {
    const cov = (await (await fetch(`${d.url}/api/v1/coverage`)).json()) as { channels: { qualities: Record<string, unknown>[] }[] };
    const source = cov.channels[0].qualities.find((q) => q.quality === 'source');
    assert.ok(source !== undefined);
    assert.deepEqual(
      [source.state, source.reason, source.window_misses_recording, source.recorded, source.missing_hours, source.nothing_recorded],
      [
        'bad',
        'window holds none of the recording',
        true,
        { start: '2026-11-01T10:00:00.000000Z', end: '2026-11-01T14:00:00.000000Z' },
        169,
        true,
      ],
    );
    const m = parseProm(await (await fetch(`${d.url}/metrics`)).text());
    assert.equal(m.get('segcov_window_length_seconds{channel="c",quality="source"}'), 169 * 3600);
    assert.equal(m.get('segcov_window_hole_seconds{channel="c",quality="source"}'), 169 * 3600);
    assert.equal(m.get('segcov_window_state{channel="c",quality="source"}'), 2);
    const holes = (await (await fetch(`${d.url}/api/v1/holes?quality=480p`)).json()) as { holes: Record<string, unknown>[] };
    assert.deepEqual([holes.holes[0].state, holes.holes[0].reason], ['bad', 'window holds none of the recording']);
    const fleet = (await (await fetch(`${d.url}/api/v1/fleet`)).json()) as { qualities: Record<string, unknown>[] };
    const event = await firstEvent(d.url);
    for (const view of [fleet, event]) {
      assert.deepEqual(
        view.qualities.map((q) => [q.quality, q.state, q.reason, q.window_misses_recording]),
        [
          ['source', 'bad', 'window holds none of the recording', true],
          ['480p', 'bad', 'window holds none of the recording', true],
        ],
      );
      assert.deepEqual(view.qualities[0].recorded, [Date.UTC(2026, 10, 1, 10) * 1000, Date.UTC(2026, 10, 1, 14) * 1000]);
    }
  });
});
