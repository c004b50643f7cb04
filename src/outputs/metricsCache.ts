import type http from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Registry } from 'prom-client';

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

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * One registry's text, rendered anew only when its `version` moved (without a version:
 * every time). Whoever sets series in a versioned registry must bump its version. It is rendered one metric family at a time, letting other work (scrapes
 * served from the cache) run in between, so a big registry never stalls the server for
 * the whole render.
 */
export class RegistryText {
  private text = '';
  private renderedVersion: number | null = null;
  private renderedAt = 0;

  /**
   * `maxStaleMs`: rendered again after this long even when the version did not move, so
   * a series set without bumping the version is late, never lost.
   */
  constructor(
    private readonly registry: Registry,
    private readonly version?: () => number,
    private readonly maxStaleMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    const v = this.version?.();
    if (v !== undefined && v === this.renderedVersion && this.now() - this.renderedAt < this.maxStaleMs) return this.text;
    this.renderedAt = this.now();
    const parts: string[] = [];
    for (const metric of this.registry.getMetricsAsArray()) {
      parts.push(await this.registry.getSingleMetricAsString(metric.name));
      await nextTurn();
    }
    this.text = dropBlankLines(parts.join('\n'));
    this.renderedVersion = v ?? null;
    return this.text;
  }
}

/**
 * /metrics rendered at most once per `maxAgeMs` and shared by every scraper meanwhile.
 * Once the text is older than that, the next scrape starts a render in the background
 * and is answered from the previous text (so no scrape waits for a render but the very
 * first); the gzip form is made once per render, off the main thread. `maxAgeMs` 0:
 * every scrape waits for a fresh render.
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

  private refresh(): Promise<Rendered> {
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

  private async fresh(): Promise<Rendered> {
    const c = this.current;
    if (c === null || this.maxAgeMs <= 0) return this.refresh();
    if (this.now() - c.at >= this.maxAgeMs) this.refresh().catch(() => { /* the next scrape that waits for a render sees the error */ });
    return c;
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
