import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { DEFAULT_HTTP_LIMITS } from '../config/httpLimits.js';
import type { Route } from '../outputs/http/httpServer.js';
import { sendJson, sendText } from '../outputs/http/responses.js';
import { packageFile } from '../packageFiles.js';
import { severityRules } from '../config/daemonConfig.js';
import { mapNames, nowUs, pageData, pageHtml, shownPairs, type WebContext } from './context.js';
import { coverageJson, holesJson, parseHolesQuery } from './coverageApi.js';
import { fleetHolesJson } from './fleetApi.js';
import { incidentJson, incidentsJson, parseIncidentsQuery } from './incidentsApi.js';
import { LiveEvents } from './liveEvents.js';
import { mapRequestName, sendMapFile } from './mapFile.js';
import { SPANS_VERSION } from './nodeSpans.js';
import { scriptHash } from './pageAssets.js';

export type { WebContext } from './context.js';

const MAPS = '/maps/';
/** The project's definition of coverage, holes and the window, served from the package. */
const DOCS_PATH = '/docs/coverage.md';
/** The alerts' runbooks: every node serves them, so a rule's runbook_url can name any node. */
const ALERTS_DOC_PATH = '/docs/alerts.md';

async function packageDoc(urlPath: string): Promise<string | null> {
  const file = packageFile(urlPath.slice(1));
  return file === null ? null : readFile(file, 'utf8').catch(() => null);
}

function docRoute(urlPath: string): Route {
  return {
    path: urlPath,
    handle: async (_req, res) => {
      const text = await packageDoc(urlPath);
      if (text === null) return sendText(res, 404, `${urlPath.slice(1)} is not installed with this copy of segcov\n`);
      sendText(res, 200, text, 'text/markdown; charset=utf-8');
    },
  };
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
 * `/api/v1/fleet` (this node and its peers lined up), `/api/v1/incidents` (the hole
 * history) and `/api/v1/events` (the page's live updates, and `incident` events). The daemon
 * serves them next to its own /metrics, /healthz and /readyz.
 */
export function webRoutes(ctx: WebContext): Route[] {
  const csp = pageCsp();
  const { fleet } = ctx;
  const limits = ctx.config.httpLimits ?? DEFAULT_HTTP_LIMITS;
  const events = new LiveEvents(
    () => pageData(ctx, 'maps/', false, DOCS_PATH.slice(1)),
    (l) => fleet.onChange(l),
    { maxStreams: limits.maxEventStreams, stallMs: limits.eventStallMs },
    ctx.streamEvents,
  );
  // each incident change as `event: incident`, shaped as one item of /api/v1/incidents
  ctx.history?.onChange((changed) => {
    if (events.size === 0) return;
    const view = fleet.view();
    for (const i of changed) events.announce('incident', { event: i.event, incident: incidentJson(i, view) });
  });
  return [
    {
      path: '/',
      handle: (_req, res) => {
        res.setHeader('content-security-policy', csp);
        res.setHeader('x-content-type-options', 'nosniff');
        sendText(res, 200, pageHtml(ctx, 'maps/', false, DOCS_PATH.slice(1)), 'text/html; charset=utf-8');
      },
    },
    docRoute(DOCS_PATH),
    docRoute(ALERTS_DOC_PATH),
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
        const { channel, quality, since, until, order } = parsed.query;
        if (since !== undefined || until !== undefined || order !== undefined)
          return badRequest(res, 'since, until and order apply to /api/v1/holes only');
        const chosen = pairs.filter(([c, q]) => (channel === undefined || c === channel) && (quality === undefined || q === quality));
        sendJson(
          res,
          200,
          coverageJson(chosen, (c, q) => ctx.state.get(c, q), ctx.state.ready, nowUs(ctx), severityRules(ctx.config)),
        );
      },
    },
    {
      path: '/api/v1/holes',
      handle: (_req, res, url) => {
        const pairs = shownPairs(ctx);
        const params = new URLSearchParams(url.searchParams);
        const peers = params.getAll('peers');
        params.delete('peers');
        if (peers.length > 1 || (peers.length === 1 && peers[0] !== '0' && peers[0] !== '1'))
          return badRequest(res, 'peers must be given once, as 0 or 1');
        const parsed = parseHolesQuery(params, pairs);
        if ('error' in parsed)
          return badRequest(
            res,
            parsed.error.replace(
              '(expected channel, quality, since, until, order)',
              '(expected channel, quality, since, until, order, peers)',
            ),
          );
        const body = holesJson(pairs, (c, q) => ctx.state.get(c, q), parsed.query, nowUs(ctx), severityRules(ctx.config));
        sendJson(res, 200, peers[0] === '1' ? fleetHolesJson(body, fleet.view(), parsed.query) : body);
      },
    },
    {
      path: '/api/v1/spans',
      handle: (_req, res, url) => {
        const keys = [...url.searchParams.keys()];
        if (keys.some((k) => k !== 'v')) return badRequest(res, 'the only parameter is v (the format version)');
        const v = url.searchParams.getAll('v');
        if (v.length > 1 || (v.length === 1 && v[0] !== String(SPANS_VERSION)))
          return badRequest(res, `unsupported version; this node speaks v=${SPANS_VERSION}`);
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
    {
      path: '/api/v1/incidents',
      handle: (_req, res, url) => {
        const all = ctx.history?.incidents() ?? [];
        const known = shownPairs(ctx);
        for (const i of all) if (!known.some(([c, q]) => c === i.channel && q === i.quality)) known.push([i.channel, i.quality]);
        const parsed = parseIncidentsQuery(url.searchParams, known);
        if ('error' in parsed) return badRequest(res, parsed.error);
        sendJson(res, 200, incidentsJson(all, parsed.query, fleet.view(), nowUs(ctx)));
      },
    },
    { path: '/api/v1/events', handle: (req, res) => events.handle(req, res) },
  ];
}
