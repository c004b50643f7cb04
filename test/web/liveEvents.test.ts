/**
 * `/api/v1/events` streams (LiveEvents) against a client that never reads: what it holds
 * in memory stays about one event, it is dropped once it has left data unread for the
 * stall time (a fake clock), a reading client beside it is not, and streams are capped.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { describe, it } from 'node:test';
import { startHttpServer } from '../../src/outputs/http/httpServer.js';
import { LiveEvents } from '../../src/web/liveEvents.js';
import { waitFor } from '../helpers/cli.js';
import { hold, keepAliveGet } from '../http/heldSockets.js';

/** Each event carries this much padding: a few fill any socket buffers quickly. */
const PAD = 256 * 1024;

async function setup(limits: { maxStreams: number; stallMs: number }, pad = PAD) {
  let now = 0;
  let seq = 0;
  let listener: (() => void) | null = null;
  const dropped: number[] = [];
  const refused: string[] = [];
  const responses: http.ServerResponse[] = [];
  const events = new LiveEvents(
    () => ({ seq, pad: 'x'.repeat(pad) }),
    (l) => {
      listener = l;
      return () => {
        listener = null;
      };
    },
    limits,
    {
      dropped: (_c, ms) => dropped.push(ms),
      refused: (c) => refused.push(String(c)),
    },
    () => now,
  );
  const server = await startHttpServer(
    '127.0.0.1',
    0,
    [
      {
        path: '/events',
        handle: (req, res) => {
          responses.push(res);
          events.handle(req, res);
        },
      },
    ],
    (e) => {
      throw e;
    },
  );
  return {
    events,
    server,
    dropped,
    refused,
    responses,
    /** A change of the state: the next event goes out within GATHER_MS. */
    change: () => {
      seq += 1;
      listener?.();
    },
    seq: () => seq,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('live-update streams', () => {
  it('a client that never reads holds about one event in memory, and is dropped after the stall time; a reader is not', async () => {
    const t = await setup({ maxStreams: 8, stallMs: 20_000 });
    const reader = await hold(t.server.port, { bytes: keepAliveGet('/events'), until: '"seq":0' });
    const stuck = await hold(t.server.port, { bytes: keepAliveGet('/events') });
    stuck.socket.pause(); // reads nothing from here on
    try {
      await waitFor('both streams open', async () => (t.events.size === 2 ? true : undefined));
      const stuckRes = t.responses[1];
      let most = 0;
      // 40 events of 256 kB: 10 MB, far beyond what socket buffers hold
      for (let i = 0; i < 40; i++) {
        t.change();
        const want = `"seq":${t.seq()},`;
        await waitFor(`the reader has event ${t.seq()}`, async () => (reader.received().includes(want) ? true : undefined));
        most = Math.max(most, stuckRes.writableLength);
      }
      assert.ok(most > 0, 'the stuck client did leave data unread');
      assert.ok(most <= 2 * PAD, `at most about one event waits in memory for the stuck client: ${most} bytes`);
      assert.deepEqual(t.dropped, [], 'not dropped before the stall time');
      t.advance(20_001);
      t.change();
      await waitFor('the stuck client dropped', async () => (t.dropped.length > 0 ? true : undefined));
      stuck.socket.resume(); // a paused socket does not see its end
      await stuck.closed;
      assert.equal(t.dropped.length, 1);
      assert.ok(t.dropped[0] > 20_000);
      assert.equal(t.events.size, 1, 'the reader stays');
      t.change();
      const want = `"seq":${t.seq()},`;
      await waitFor('the reader gets the next event', async () => (reader.received().includes(want) ? true : undefined));
      assert.equal(reader.isClosed(), false);
      assert.equal(t.dropped.length, 1);
    } finally {
      reader.socket.destroy();
      stuck.socket.destroy();
      await t.server.close();
    }
  });

  it('a client that reads slowly gets the newest event once it has read the last, not every one in between', async () => {
    // 1 MiB events: the 30 below are more than any socket buffers take in
    const t = await setup({ maxStreams: 8, stallMs: 20_000 }, 1024 * 1024);
    const slow = await hold(t.server.port, { bytes: keepAliveGet('/events'), until: '"seq":0' });
    slow.socket.pause();
    try {
      for (let i = 0; i < 30; i++) {
        t.change();
        await new Promise((r) => setTimeout(r, 120)); // past the gathering of one burst (100 ms)
      }
      const last = t.seq();
      slow.socket.resume();
      await waitFor('the slow client has the newest event', async () => (slow.received().includes(`"seq":${last},`) ? true : undefined));
      const got = [...slow.received().matchAll(/"seq":(\d+),/g)].map((m) => Number(m[1]));
      assert.ok(got.length < 30, `skipped the events it could not take in time: got ${got.length} of ${last + 1}`);
      assert.deepEqual(
        got,
        [...got].sort((a, b) => a - b),
        'in order',
      );
      assert.deepEqual(t.dropped, []);
    } finally {
      slow.socket.destroy();
      await t.server.close();
    }
  });

  it('beyond maxStreams a stream is told to come back later, and counted', async () => {
    const t = await setup({ maxStreams: 2, stallMs: 20_000 });
    const open = [
      await hold(t.server.port, { bytes: keepAliveGet('/events'), until: '"seq":0' }),
      await hold(t.server.port, { bytes: keepAliveGet('/events'), until: '"seq":0' }),
    ];
    try {
      const third = await hold(t.server.port, { bytes: keepAliveGet('/events') });
      await third.closed;
      assert.match(third.received(), /^HTTP\/1\.1 200 /);
      assert.match(third.received(), /text\/event-stream/);
      assert.match(third.received(), /^retry: 10000$/m);
      assert.equal(t.refused.length, 1);
      assert.equal(t.events.size, 2);
      open[0].socket.destroy();
      await waitFor('one stream closed', async () => (t.events.size === 1 ? true : undefined));
      await hold(t.server.port, { bytes: keepAliveGet('/events'), until: '"seq":0' }).then((h) => open.push(h));
      assert.equal(t.events.size, 2, 'room again');
    } finally {
      for (const h of open) h.socket.destroy();
      await t.server.close();
    }
  });
});
