import type http from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** Prometheus text without blank lines (prom-client leaves one after a family with no series). */
export function dropBlankLines(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

interface Rendered {
  readonly at: number;
  readonly body: Buffer;
  gz: Promise<Buffer> | null;
}

/**
 * /metrics rendered at most once per `maxAgeMs` and shared by every scraper meanwhile:
 * concurrent scrapes wait for one render, and the gzip form is made once per render.
 * Coverage gauges change only when a pass or a live update lands, but the process
 * metrics change all the time, so a short age (1 s, below any scrape interval) stands
 * for "once per change". `maxAgeMs` 0: every scrape renders.
 */
export class MetricsCache {
  private current: Rendered | null = null;
  private pending: Promise<Rendered> | null = null;
  /** Renders done so far (tests, bench). */
  renders = 0;

  constructor(
    private readonly render: () => Promise<string>,
    private readonly maxAgeMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  private async fresh(): Promise<Rendered> {
    const c = this.current;
    if (c !== null && this.now() - c.at < this.maxAgeMs) return c;
    if (this.pending !== null) return this.pending;
    const p = (async () => {
      const at = this.now();
      this.renders++;
      const body = Buffer.from(dropBlankLines(await this.render()));
      const r: Rendered = { at, body, gz: null };
      this.current = r;
      return r;
    })().finally(() => { this.pending = null; });
    this.pending = p;
    return p;
  }

  /** The body, gzipped when `gz`. */
  async get(gz: boolean): Promise<Buffer> {
    const r = await this.fresh();
    if (!gz) return r.body;
    r.gz ??= gzipAsync(r.body);
    return r.gz;
  }
}

/** True when an Accept-Encoding header allows gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  for (const part of (header ?? '').split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
    return q === undefined || Number(q) > 0;
  }
  return false;
}

/** Answers a /metrics request from the cache. */
export async function sendMetrics(req: http.IncomingMessage, res: http.ServerResponse, cache: MetricsCache, contentType: string): Promise<void> {
  const gz = acceptsGzip(req.headers['accept-encoding']);
  const body = await cache.get(gz);
  const headers: http.OutgoingHttpHeaders = { 'content-type': contentType, 'cache-control': 'no-store', vary: 'accept-encoding', 'content-length': body.length };
  if (gz) headers['content-encoding'] = 'gzip';
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
