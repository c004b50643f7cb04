import { parseNodeSpans, SPANS_VERSION, type NodeSpans } from './nodeSpans.js';

/** Where a peer is: its status page and where its spans are read. */
export interface PeerTarget {
  /** The peer's status page (its `/`, or the `index.html` that --make-page writes beside its maps). */
  readonly url: string;
  /** URL of its spans in the v1 form: `/api/v1/spans?v=1`, or a `spans.json` beside its maps. */
  readonly spansUrl: string;
}

/** What this node last heard from one peer. */
export interface PeerState {
  readonly name: string;
  readonly url: string;
  readonly spansUrl: string;
  /** `waiting` until the first answer or failure. */
  readonly state: 'up' | 'down' | 'waiting';
  /** Why it is down. */
  readonly error: string | null;
  /** ms since the epoch of the last successful fetch, or null. */
  readonly lastOkAt: number | null;
  /** The peer's spans while it is up. */
  readonly data: NodeSpans | null;
}

export interface PeerFetcherOptions {
  /** The peers to ask, read before every round: config peers plus database nodes. */
  readonly peers: () => Readonly<Record<string, PeerTarget>>;
  /** ms between rounds (default 2000). */
  readonly intervalMs?: number;
  /** ms before a peer that does not answer is down (default 3000). */
  readonly timeoutMs?: number;
  /** Largest answer accepted, bytes (default 32 MiB). */
  readonly maxBytes?: number;
  /** Called after a round in which any peer's answer or state changed. */
  readonly onChange?: () => void;
}

/** A segcov peer (config `peers:`): its spans API under its base URL. */
export function apiTarget(base: string): PeerTarget {
  const url = base.replace(/\/+$/, '');
  return { url: `${url}/`, spansUrl: `${url}/api/v1/spans?v=${SPANS_VERSION}` };
}

/**
 * A node of wubloader's database: segcov behind wubloader's nginx, which serves the
 * output folder (`mapBase`) but not segcov's port. Its spans and page are the files
 * --make-page writes there.
 */
export function folderTarget(mapBase: string): PeerTarget {
  const base = mapBase.replace(/\/+$/, '');
  return { url: `${base}/index.html`, spansUrl: `${base}/spans.json` };
}

async function fetchSpans(url: string, timeoutMs: number, maxBytes: number): Promise<NodeSpans> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' }, redirect: 'error' });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}${res.status === 404 ? ' (no fleet API: an older segcov?)' : ''}`);
  }
  // Read at most maxBytes: a peer is another machine, and its answer is kept in memory.
  const reader = res.body?.getReader();
  if (reader === undefined) throw new Error('empty answer');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`answer is over ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return parseNodeSpans(JSON.parse(Buffer.concat(chunks).toString('utf8')));
}

/**
 * The daemon's side of the fleet view: asks every peer for its spans, one round every
 * couple of seconds, and keeps the last answer. The browser never talks to peers (so
 * the page's CSP is `connect-src 'self'` and peers need no CORS); the fleet gauges come
 * from the same answers.
 */
export class PeerFetcher {
  private readonly states = new Map<string, PeerState>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: PeerFetcherOptions) {
    this.intervalMs = opts.intervalMs ?? 2000;
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
  }

  /** Every configured peer, in name order, with what is known of it. */
  snapshot(): PeerState[] {
    const peers = this.opts.peers();
    return Object.keys(peers)
      .sort()
      .map((name) => {
        const s = this.states.get(name);
        const t = peers[name];
        return s !== undefined && s.spansUrl === t.spansUrl
          ? s
          : { name, url: t.url, spansUrl: t.spansUrl, state: 'waiting', error: null, lastOkAt: null, data: null };
      });
  }

  /** Starts the rounds (the first at once). Timers do not keep the process alive. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One round over every peer, concurrently; resolves when all answered or failed. */
  async round(): Promise<void> {
    const peers = this.opts.peers();
    let changed = false;
    for (const name of [...this.states.keys()]) {
      if (!(name in peers)) {
        this.states.delete(name);
        changed = true;
      }
    }
    await Promise.all(
      Object.entries(peers).map(async ([name, { url, spansUrl }]) => {
        const before = this.states.get(name);
        let next: PeerState;
        try {
          const data = await fetchSpans(spansUrl, this.timeoutMs, this.maxBytes);
          next = { name, url, spansUrl, state: 'up', error: null, lastOkAt: Date.now(), data };
        } catch (e) {
          const msg =
            e instanceof Error
              ? e.name === 'TimeoutError'
                ? `no answer in ${this.timeoutMs} ms`
                : e.cause instanceof Error
                  ? e.cause.message
                  : e.message
              : String(e);
          next = { name, url, spansUrl, state: 'down', error: msg, lastOkAt: before?.lastOkAt ?? null, data: null };
        }
        if (
          before === undefined ||
          before.state !== next.state ||
          before.error !== next.error ||
          JSON.stringify(before.data?.qualities) !== JSON.stringify(next.data?.qualities)
        )
          changed = true;
        this.states.set(name, next);
      }),
    );
    if (changed) this.opts.onChange?.();
  }

  private async loop(): Promise<void> {
    if (!this.running) return;
    try {
      await this.round();
    } finally {
      if (this.running) {
        this.timer = setTimeout(() => void this.loop(), this.intervalMs);
        this.timer.unref();
      }
    }
  }
}
