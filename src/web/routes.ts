import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { fileURLToPath } from 'node:url';
import { sendJson, sendText, type Route } from '../outputs/httpServer.js';
import { mapNames, nowUs, pageHtml, shownPairs, type WebContext } from './context.js';
import { coverageJson, holesJson, parseHolesQuery } from './coverageApi.js';
import { mapRequestName, sendMapFile } from './mapFile.js';
import { scriptHash } from './pageAssets.js';

export type { WebContext } from './context.js';

const MAPS = '/maps/';
/** The project's definition of coverage, holes and the window, served from the package. */
const DOCS_PATH = '/docs/coverage.md';
const DOC_FILE = fileURLToPath(new URL('../../../docs/coverage.md', import.meta.url));

async function coverageDoc(): Promise<string | null> {
  return readFile(DOC_FILE, 'utf8').catch(() => null);
}

/**
 * The Content-Security-Policy of the served page: nothing but its own inline style, its
 * one inline script (by hash), and images from this node and its peers.
 */
export function pageCsp(peers: Readonly<Record<string, string>>): string {
  const origins = new Set<string>();
  for (const base of Object.values(peers)) origins.add(new URL(base).origin);
  return [
    "default-src 'none'",
    `img-src 'self' data: ${[...origins].join(' ')}`.trim(),
    "style-src 'unsafe-inline'",
    `script-src ${scriptHash()}`,
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
 * output folder, nothing else), `/api/v1/coverage` and `/api/v1/holes`. The daemon
 * serves them next to its own /metrics, /healthz and /readyz.
 */
export function webRoutes(ctx: WebContext): Route[] {
  const csp = pageCsp(ctx.config.peers);
  return [
    {
      path: '/',
      handle: (_req, res) => {
        res.setHeader('content-security-policy', csp);
        res.setHeader('x-content-type-options', 'nosniff');
        sendText(res, 200, pageHtml(ctx, 'maps/', DOCS_PATH.slice(1)), 'text/html; charset=utf-8');
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
        const parsed = parseHolesQuery(url.searchParams, pairs);
        if ('error' in parsed) return badRequest(res, parsed.error);
        sendJson(res, 200, holesJson(pairs, (c, q) => ctx.state.get(c, q), parsed.query, nowUs(ctx)));
      },
    },
  ];
}
