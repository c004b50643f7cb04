import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { DEFAULT_HTTP_LIMITS } from '../config/httpLimits.js';
import { sendJson, sendText, type Route } from '../outputs/httpServer.js';
import { packageFile } from '../packageFiles.js';
import { fleetOf, mapNames, nowUs, pageData, pageHtml, shownPairs, type WebContext } from './context.js';
import { coverageJson, holesJson, parseHolesQuery } from './coverageApi.js';
import { fleetHolesJson } from './fleetApi.js';
import { LiveEvents } from './liveEvents.js';
import { mapRequestName, sendMapFile } from './mapFile.js';
import { SPANS_VERSION } from './nodeSpans.js';
import { scriptHash } from './pageAssets.js';

export type { WebContext } from './context.js';

const MAPS = '/maps/';
/** The project's definition of coverage, holes and the window, served from the package. */
const DOCS_PATH = '/docs/coverage.md';

async function coverageDoc(): Promise<string | null> {
  const file = packageFile('docs/coverage.md');
  return file === null ? null : readFile(file, 'utf8').catch(() => null);
}

/**
 * The Content-Security-Policy of the served page: nothing but its own inline style, its
 * one inline script (by hash), its own maps, and connections to this node only (the
 * daemon fetches the peers' data, the browser never does).
 */
export function pageCsp(): string {
  return [
    "default-src 'none'",
    "img-src 'self' data:",
    "style-src 'unsafe-inline'",
    `script-src ${scriptHash()}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function badRequest(res: http.ServerResponse, error: string): void {
  sendJson(res, 400, { error });
}

/**
 * The browser and API routes: `/` (status page), `/maps/NAME` (the map files of the
 * output folder, nothing else), `/api/v1/coverage`, `/api/v1/holes` (`peers=1`: which
 * peers hold each hole), `/api/v1/spans?v=1` (what this node holds, for its peers),
 * `/api/v1/fleet` (this node and its peers lined up) and `/api/v1/events` (the page's
 * live updates). The daemon
 * serves them next to its own /metrics, /healthz and /readyz.
 */
export function webRoutes(ctx: WebContext): Route[] {
  const csp = pageCsp();
  const fleet = fleetOf(ctx);
  // Always running: a reload (SIGHUP) or the database may add peers later; a round without peers costs nothing.
  fleet.start();
  const limits = ctx.config.httpLimits ?? DEFAULT_HTTP_LIMITS;
  const events = new LiveEvents(() => pageData(ctx, 'maps/', false, DOCS_PATH.slice(1)), (l) => fleet.onChange(l),
    { maxStreams: limits.maxEventStreams, stallMs: limits.eventStallMs }, ctx.streamEvents);
  return [
    {
      path: '/',
      handle: (_req, res) => {
        res.setHeader('content-security-policy', csp);
        res.setHeader('x-content-type-options', 'nosniff');
        sendText(res, 200, pageHtml(ctx, 'maps/', false, DOCS_PATH.slice(1)), 'text/html; charset=utf-8');
      },
    },
    {
      path: DOCS_PATH,
      handle: async (_req, res) => {
        const text = await coverageDoc();
        if (text === null) return sendText(res, 404, 'docs/coverage.md is not installed with this copy of segcov\n');
        sendText(res, 200, text, 'text/markdown; charset=utf-8');
      },
    },
    {
      path: MAPS,
      handle: async (req, res, url) => {
        const name = mapRequestName(url.pathname.slice(MAPS.length), mapNames(ctx));
        if (name === 400) return sendText(res, 400, 'bad request\n');
        if (name === 404) return sendText(res, 404, 'not found\n');
        await sendMapFile(req, res, ctx.config.outputDir, name);
      },
    },
    {
      path: '/api/v1/coverage',
      handle: (_req, res, url) => {
        const pairs = shownPairs(ctx);
        const parsed = parseHolesQuery(url.searchParams, pairs);
        if ('error' in parsed) return badRequest(res, parsed.error);
        const { channel, quality, since, until } = parsed.query;
        if (since !== undefined || until !== undefined) return badRequest(res, 'since and until apply to /api/v1/holes only');
        const chosen = pairs.filter(([c, q]) => (channel === undefined || c === channel) && (quality === undefined || q === quality));
        sendJson(res, 200, coverageJson(chosen, (c, q) => ctx.state.get(c, q), ctx.state.ready, nowUs(ctx)));
      },
    },
    {
      path: '/api/v1/holes',
      handle: (_req, res, url) => {
        const pairs = shownPairs(ctx);
        const params = new URLSearchParams(url.searchParams);
        const peers = params.getAll('peers');
        params.delete('peers');
        if (peers.length > 1 || (peers.length === 1 && peers[0] !== '0' && peers[0] !== '1')) return badRequest(res, 'peers must be given once, as 0 or 1');
        const parsed = parseHolesQuery(params, pairs);
        if ('error' in parsed) return badRequest(res, parsed.error.replace('(expected channel, quality, since, until)', '(expected channel, quality, since, until, peers)'));
        const body = holesJson(pairs, (c, q) => ctx.state.get(c, q), parsed.query, nowUs(ctx));
        sendJson(res, 200, peers[0] === '1' ? fleetHolesJson(body, fleet.view(), parsed.query) : body);
      },
    },
    {
      path: '/api/v1/spans',
      handle: (_req, res, url) => {
        const keys = [...url.searchParams.keys()];
        if (keys.some((k) => k !== 'v')) return badRequest(res, 'the only parameter is v (the format version)');
        const v = url.searchParams.getAll('v');
        if (v.length > 1 || (v.length === 1 && v[0] !== String(SPANS_VERSION))) return badRequest(res, `unsupported version; this node speaks v=${SPANS_VERSION}`);
        sendJson(res, 200, fleet.spans());
      },
    },
    {
      path: '/api/v1/fleet',
      handle: (_req, res, url) => {
        if ([...url.searchParams.keys()].length > 0) return badRequest(res, '/api/v1/fleet takes no parameters');
        sendJson(res, 200, fleet.view());
      },
    },
    { path: '/api/v1/events', handle: (req, res) => events.handle(req, res) },
  ];
}
