import type http from 'node:http';
import { sendBusy } from '../outputs/http/responses.js';

/** ms a burst of updates is gathered into one event (live mode publishes per segment). */
const GATHER_MS = 100;
/** ms between keep-alive comments (so proxies do not close an idle stream). */
const KEEPALIVE_MS = 15_000;

export interface StreamLimits {
  /** Streams open at once; more are told to come back later. */
  readonly maxStreams: number;
  /** ms a stream may leave its data unread before it is dropped. */
  readonly stallMs: number;
}

/** What LiveEvents tells its owner (for counters and the debug log). */
export interface StreamEvents {
  /** A stream was closed: its client had left data unread for `stalledMs`. */
  dropped?(client: string | undefined, stalledMs: number): void;
  /** A stream was refused: `maxStreams` were open. */
  refused?(client: string | undefined): void;
  /** The number of open streams changed. */
  count?(n: number): void;
}

interface Stream {
  readonly res: http.ServerResponse;
  /** When a write was left in memory because the client was not reading, until it reads it all; else null. */
  waitingSince: number | null;
  /** An event came while waiting: the newest is sent once the client has read what it has. */
  behind: boolean;
}

/**
 * `/api/v1/events`: Server-Sent Events carrying the page's data (the fleet view of
 * `/api/v1/fleet` plus the map layouts) as `event: fleet`, once on connect and again within ~0.1 s of every
 * change of this node's coverage or of a peer's answer. The browser's EventSource
 * reconnects by itself (`retry: 1000`).
 *
 * Each event holds the whole state, so a client that reads slowly needs only the newest:
 * while its last event is still in memory, newer ones are not queued behind it, and it gets
 * the newest once it has read that. A client that reads nothing for `stallMs` is dropped
 * (its browser reconnects). So each stream holds at most about one event in memory.
 */
export class LiveEvents {
  private readonly streams = new Set<Stream>();
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private latest = '';
  private unsubscribe: (() => void) | null = null;

  /**
   * `build` makes the event's body (the page's data); `subscribe` registers for change
   * notices and returns the way to unregister.
   */
  constructor(
    private readonly build: () => unknown,
    private readonly subscribe: (l: () => void) => () => void,
    private readonly limits: StreamLimits,
    private readonly events: StreamEvents = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of open streams (for tests and the self-metrics). */
  get size(): number {
    return this.streams.size;
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'HEAD' && this.streams.size >= this.limits.maxStreams) {
      this.events.refused?.(req.socket.remoteAddress);
      sendBusy(res, true);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream: Stream = { res, waitingSince: null, behind: false };
    this.streams.add(stream);
    this.events.count?.(this.streams.size);
    if (this.unsubscribe === null) this.unsubscribe = this.subscribe(() => this.schedule());
    this.write(stream, `retry: 1000\n\n${this.message()}`);
    const keepalive = setInterval(() => this.send(stream, ': keep-alive\n\n', false), KEEPALIVE_MS);
    keepalive.unref();
    res.on('drain', () => {
      stream.waitingSince = null;
      if (!stream.behind) return;
      stream.behind = false;
      this.write(stream, this.latest);
    });
    const close = (): void => {
      clearInterval(keepalive);
      this.forget(stream);
    };
    req.on('close', close);
    res.on('close', close);
  }

  private forget(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    this.events.count?.(this.streams.size);
    if (this.streams.size === 0 && this.unsubscribe !== null) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.streams.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const msg = this.message();
      for (const s of this.streams) this.send(s, msg, true);
    }, GATHER_MS);
    this.timer.unref();
  }

  /**
   * Sends one other event (e.g. `incident`) to every open stream now, numbered in the same
   * sequence as the page's data. Nothing is kept for streams that connect later, nor for a
   * stream that has not read its last event (the page reads the list again when it reconnects).
   */
  announce(name: string, data: unknown): void {
    if (this.streams.size === 0) return;
    this.seq += 1;
    const msg = `id: ${this.seq}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of this.streams) this.send(s, msg, false);
  }

  private message(): string {
    this.seq += 1;
    this.latest = `id: ${this.seq}\nevent: fleet\ndata: ${JSON.stringify(this.build())}\n\n`;
    return this.latest;
  }

  /** Sends `msg` unless the client has not read the last one; an event (`remember`) then waits for it. */
  private send(s: Stream, msg: string, remember: boolean): void {
    if (!this.streams.has(s)) return;
    if (s.waitingSince === null) {
      this.write(s, msg);
      return;
    }
    const stalled = this.now() - s.waitingSince;
    if (stalled > this.limits.stallMs) {
      this.forget(s);
      this.events.dropped?.(s.res.socket?.remoteAddress, stalled);
      s.res.destroy();
      return;
    }
    if (remember) s.behind = true;
  }

  private write(s: Stream, msg: string): void {
    if (s.res.writableEnded || s.res.destroyed) return;
    if (!s.res.write(msg)) s.waitingSince ??= this.now();
  }
}
