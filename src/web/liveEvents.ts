import type http from 'node:http';

/** ms a burst of updates is gathered into one event (live mode publishes per segment). */
const GATHER_MS = 100;
/** ms between keep-alive comments (so proxies do not close an idle stream). */
const KEEPALIVE_MS = 15_000;

/**
 * `/api/v1/events`: Server-Sent Events carrying the page's data (the fleet view of
 * `/api/v1/fleet` plus the map layouts) as `event: fleet`, once on connect and again within ~0.1 s of every
 * change of this node's coverage or of a peer's answer. The browser's EventSource
 * reconnects by itself (`retry: 1000`).
 */
export class LiveEvents {
  private readonly clients = new Set<http.ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private unsubscribe: (() => void) | null = null;

  /**
   * `build` makes the event's body (the page's data); `subscribe` registers for change
   * notices and returns the way to unregister.
   */
  constructor(private readonly build: () => unknown, private readonly subscribe: (l: () => void) => () => void) {}

  /** Number of open streams (for tests and the self-metrics). */
  get size(): number {
    return this.clients.size;
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
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
    res.write('retry: 1000\n\n');
    this.clients.add(res);
    if (this.unsubscribe === null) this.unsubscribe = this.subscribe(() => this.schedule());
    this.send(res, this.message());
    const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    const close = (): void => {
      clearInterval(keepalive);
      this.clients.delete(res);
      if (this.clients.size === 0 && this.unsubscribe !== null) {
        this.unsubscribe();
        this.unsubscribe = null;
      }
    };
    req.on('close', close);
    res.on('close', close);
  }

  private schedule(): void {
    if (this.timer !== null || this.clients.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const msg = this.message();
      for (const c of this.clients) this.send(c, msg);
    }, GATHER_MS);
    this.timer.unref();
  }

  /**
   * Sends one other event (e.g. `incident`) to every open stream now, numbered in the same
   * sequence as the page's data. Nothing is kept for streams that connect later.
   */
  announce(name: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.seq += 1;
    const msg = `id: ${this.seq}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) this.send(c, msg);
  }

  private message(): string {
    this.seq += 1;
    return `id: ${this.seq}\nevent: fleet\ndata: ${JSON.stringify(this.build())}\n\n`;
  }

  private send(res: http.ServerResponse, msg: string): void {
    if (!res.writableEnded) res.write(msg);
  }
}
