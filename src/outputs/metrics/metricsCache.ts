import type http from 'node:http';
import { constants } from 'node:zlib';
import { deflatePart, gzipOfParts } from '../files/deflateParts.js';
import { CONTENT_TYPES, negotiateFormat, OPENMETRICS_EOF, toOpenMetrics, type MetricsFormat } from './openMetrics.js';
import { dropBlankLines } from './promText.js';
import type { Registry } from 'prom-client';

/** One render's parts in each format; a part both formats share is the very same Buffer in both. */
export type FormatParts = Readonly<Record<MetricsFormat, readonly Buffer[]>>;

export interface RegistryTextOptions {
  /**
   * Tells whether the registry's series changed: the text is rendered again only when the
   * number moved. Without it, every time. Whoever sets series in a versioned registry must
   * move its version.
   */
  readonly version?: () => number | Promise<number>;
  /**
   * Rendered again after this long (ms) even when the version did not move, so a series set
   * without moving the version is late, never lost. Default 60 s.
   */
  readonly maxStaleMs?: number;
  readonly now?: () => number;
}

/** One registry's text (blank lines dropped), rendered anew only when its version moved. */
export class RegistryText {
  private text = '';
  private bytes = Buffer.alloc(0);
  private omBytes: Buffer | null = null;
  private renderedVersion: number | null = null;
  private renderedAt = 0;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  /** Renders done so far (tests). */
  renders = 0;

  constructor(
    private readonly registry: Registry,
    private readonly options: RegistryTextOptions = {},
  ) {
    this.maxStaleMs = options.maxStaleMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async get(): Promise<string> {
    await this.refresh();
    return this.text;
  }

  /** The text as bytes: the very same Buffer for as long as the text is not rendered again. */
  async buffer(): Promise<Buffer> {
    await this.refresh();
    return this.bytes;
  }

  /** The text in both formats, from one render; each the very same Buffer until the text is rendered again. */
  async formats(): Promise<Record<MetricsFormat, Buffer>> {
    await this.refresh();
    if (this.omBytes === null) {
      const om = toOpenMetrics(this.text);
      this.omBytes = om === this.text ? this.bytes : Buffer.from(om); // gauges only: one Buffer, compressed once
    }
    return { text: this.bytes, openmetrics: this.omBytes };
  }

  private async refresh(): Promise<void> {
    const v = await this.options.version?.();
    if (v !== undefined && v === this.renderedVersion && this.now() - this.renderedAt < this.maxStaleMs) return;
    this.renderedAt = this.now();
    this.renders++;
    this.text = dropBlankLines(await this.registry.metrics());
    this.bytes = Buffer.from(this.text);
    this.omBytes = null;
    this.renderedVersion = v ?? null;
  }
}

/** One format of a render: the body and its gzip form. */
interface Encoded {
  readonly body: Buffer;
  readonly gz: Buffer;
}

interface Rendered {
  readonly at: number;
  /** `inputs()` when the render began. */
  readonly inputs: number;
  readonly parts: FormatParts;
  /** Each format's body and gzip form, made when a scrape first asks for that format. */
  readonly encoded: Partial<Record<MetricsFormat, Promise<Encoded>>>;
}

/** What a render function gives: classic text, or its parts, or the parts of both formats. */
export type RenderOutput = string | readonly Buffer[] | FormatParts;

/** Classic text or its parts (tests, simple callers): the OpenMetrics form is their conversion, made when asked for. */
function formatParts(out: RenderOutput): FormatParts {
  if (typeof out === 'string' || Array.isArray(out)) {
    const text = typeof out === 'string' ? [Buffer.from(dropBlankLines(out))] : (out as readonly Buffer[]).filter((b) => b.length > 0);
    let om: Buffer[] | null = null;
    return {
      text,
      get openmetrics() {
        om ??= [Buffer.from(toOpenMetrics(Buffer.concat(text).toString())), OPENMETRICS_EOF];
        return om;
      },
    };
  }
  const both = out as FormatParts;
  return { text: both.text.filter((b) => b.length > 0), openmetrics: both.openmetrics.filter((b) => b.length > 0) };
}

/**
 * /metrics rendered at most once per `maxAgeMs` and shared by every scraper meanwhile. A
 * scrape is answered from the last render while that is younger than `maxAgeMs` and the
 * inputs (`inputs()`, e.g. the coverage gauges' version) have not moved since it began;
 * otherwise it waits for a new render, which every scrape arriving meanwhile shares. So a
 * scrape never sees coverage older than the scrape itself (a Prometheus scraping every
 * 15 s gets the numbers of now, not of its previous scrape), and a storm of scrapes costs
 * one render a second. `render` gives the text in parts (each a RegistryText's buffer), in
 * both formats (classic text and OpenMetrics, mostly the same Buffers): a format's body and
 * gzip form are made when a scrape of a render first asks for it, the gzip off the main
 * thread, compressing only the parts that are not the very same Buffer as in the last body
 * of either format. `maxAgeMs` 0: every scrape waits for a render.
 */
export class MetricsCache {
  private current: Rendered | null = null;
  private pending: Promise<Rendered> | null = null;
  /** Each part's raw deflate, by the part's Buffer: the parts of each format's last body. */
  private deflated: Record<MetricsFormat, Map<Buffer, Promise<Buffer>>> = { text: new Map(), openmetrics: new Map() };
  /** Renders done so far (tests, bench). */
  renders = 0;
  /** Parts compressed so far (tests, bench). */
  compressions = 0;

  constructor(
    private readonly render: () => Promise<RenderOutput>,
    private readonly maxAgeMs = 1000,
    private readonly now: () => number = Date.now,
    private readonly inputs: () => number = () => 0,
  ) {}

  private refresh(): Promise<Rendered> {
    if (this.pending !== null) return this.pending;
    const p = (async () => {
      const at = this.now();
      const inputs = this.inputs();
      this.renders++;
      const r: Rendered = { at, inputs, parts: formatParts(await this.render()), encoded: {} };
      this.current = r;
      return r;
    })().finally(() => {
      this.pending = null;
    });
    this.pending = p;
    return p;
  }

  private async fresh(): Promise<Rendered> {
    const c = this.current;
    const inputs = this.inputs();
    if (c !== null && this.maxAgeMs > 0 && this.now() - c.at < this.maxAgeMs && c.inputs === inputs) return c;
    // a render under way answers too when it began after the inputs last moved; one that
    // began before misses a change this scrape must see: wait for it, then render again
    const pending = this.pending;
    if (pending !== null) {
      const r = await pending.catch(() => null);
      if (r !== null && r.inputs === inputs) return r;
    }
    return this.refresh();
  }

  private encode(r: Rendered, format: MetricsFormat): Promise<Encoded> {
    let e = r.encoded[format];
    if (e === undefined) {
      const parts = r.parts[format];
      e = this.gzip(parts, format).then((gz) => ({ body: parts.length === 1 ? parts[0] : Buffer.concat(parts), gz }));
      // a failed compression is tried again by the next scrape
      e.catch(() => {
        if (r.encoded[format] === e) delete r.encoded[format];
      });
      r.encoded[format] = e;
    }
    return e;
  }

  private async gzip(parts: readonly Buffer[], format: MetricsFormat): Promise<Buffer> {
    const next = new Map<Buffer, Promise<Buffer>>();
    for (const p of parts) {
      let d = next.get(p) ?? this.deflated.text.get(p) ?? this.deflated.openmetrics.get(p);
      if (d === undefined) {
        this.compressions++;
        // zlib's fastest level: a quarter of the default's CPU for a slightly bigger body (bench/METHOD.md)
        d = deflatePart(p, constants.Z_BEST_SPEED);
      }
      next.set(p, d);
    }
    this.deflated[format] = next;
    try {
      return gzipOfParts(parts, await Promise.all(parts.map((p) => next.get(p) as Promise<Buffer>)));
    } catch (e) {
      this.deflated = { text: new Map(), openmetrics: new Map() }; // compressed again by the next render
      throw e;
    }
  }

  /** The body in `format`, gzipped when `gz`. */
  async get(gz: boolean, format: MetricsFormat = 'text'): Promise<Buffer> {
    const e = await this.encode(await this.fresh(), format);
    return gz ? e.gz : e.body;
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

/** Answers a /metrics request from the cache, in the format its Accept header asks for. */
export async function sendMetrics(req: http.IncomingMessage, res: http.ServerResponse, cache: MetricsCache): Promise<void> {
  const gz = acceptsGzip(req.headers['accept-encoding']);
  const format = negotiateFormat(req.headers.accept);
  const body = await cache.get(gz, format);
  const headers: http.OutgoingHttpHeaders = {
    'content-type': CONTENT_TYPES[format],
    'cache-control': 'no-store',
    vary: 'accept, accept-encoding',
    'content-length': body.length,
  };
  if (gz) headers['content-encoding'] = 'gzip';
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
