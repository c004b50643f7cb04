import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { sendBusy, sendText } from './responses.js';
import { formatListenAddress } from '../../config/listenAddress.js';
import { DEFAULT_HTTP_LIMITS } from '../../config/httpLimits.js';
import type { ShedReason } from '../../config/httpLimits.js';
import { ConnectionGuard } from './connectionGuard.js';
import { SECURITY_HEADERS, clientErrorResponse, rawResponse } from './securityHeaders.js';
import type { WebConfig } from './webConfig.js';
import { WebGate } from './webGate.js';

/** One HTTP route. `path` matches the URL path exactly, or by prefix when it ends in `/`. */
export interface Route {
  readonly path: string;
  /** A scrape path (/metrics, /healthz, /readyz): served also on a connection of the scrape reserve. */
  readonly reserved?: boolean;
  readonly handle: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;
}

export interface HttpServerHandle {
  readonly port: number;
  /** The address bound (`::` or `0.0.0.0` when given none). */
  readonly address: string;
  /** Applies a re-read web config (TLS files, client auth, users). Throws when it cannot (e.g. TLS turned on or off: that needs a restart). */
  applyWebConfig(config: WebConfig): void;
  /** Open connections in the general pool and in the scrape reserve. */
  connections(): { general: number; reserve: number };
  close(): Promise<void>;
}

/** Timeouts and the connection caps (see ConnectionGuard). */
export interface ServerLimits {
  /** ms to receive the whole request head (slowloris). */
  readonly headersTimeout: number;
  /** ms to receive the whole request. */
  readonly requestTimeout: number;
  /** ms an idle kept-alive connection stays open (Prometheus scrapes reuse it; 15 s covers its default interval). */
  readonly keepAliveTimeout: number;
  /** ms a connection may go without reading or writing anything while a request is answered (a client that stops reading). */
  readonly inactivityTimeout: number;
  /** Open connections at most, the reserve included; idle ones are closed to make room, else new ones. */
  readonly maxConnections: number;
  /** Connections kept for scrape routes. */
  readonly scrapeReserve: number;
  /** Connections one client address holds outside the reserve. */
  readonly perClient: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 15_000,
  inactivityTimeout: 60_000,
  maxConnections: DEFAULT_HTTP_LIMITS.maxConnections,
  scrapeReserve: DEFAULT_HTTP_LIMITS.scrapeReserve,
  perClient: DEFAULT_HTTP_LIMITS.perClient,
};

/** What the server tells its owner (for counters and the debug log). */
export interface HttpObserver {
  /** A connection was closed, or a request refused, for want of room. */
  shed?(reason: ShedReason, client: string | undefined): void;
  /** Basic auth: wrong credentials (`failed`), or refused unchecked after too many (`throttled`, answered 429). */
  auth?(outcome: 'failed' | 'throttled', client: string | undefined): void;
}

export interface HttpServerOptions {
  readonly limits?: Partial<ServerLimits>;
  /** `--web.config.file`: TLS and basic auth. Absent: plain HTTP, no auth. */
  readonly webConfig?: WebConfig;
  readonly observer?: HttpObserver;
}

function findRoute(routes: readonly Route[], pathname: string): Route | undefined {
  return (
    routes.find((r) => r.path === pathname) ??
    routes
      .filter((r) => r.path.endsWith('/') && r.path !== '/' && pathname.startsWith(r.path))
      .sort((a, b) => b.path.length - a.path.length)[0]
  );
}

/** The request target as a URL, or null when it is not one (`//[`, `http://[/`, `//x:abc/`). */
export function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** What dispatch works with. */
interface Dispatcher {
  readonly routes: readonly Route[];
  readonly gate: WebGate | null;
  readonly onError: (e: unknown) => void;
  readonly guard: ConnectionGuard;
  readonly observer: HttpObserver;
}

/**
 * Answers one request. Nothing a client sends can make this throw: a bad target is a
 * 400, and a handler's failure, synchronous or not, is reported through `onError` and
 * answered with a 500 (or the connection is cut when the head is already out).
 */
function dispatch(server: Dispatcher, req: http.IncomingMessage, res: http.ServerResponse): void {
  const { routes, gate, onError, guard } = server;
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  const fail = (e: unknown): void => {
    onError(e);
    if (!res.headersSent) sendText(res, 500, 'internal error\n');
    else res.destroy();
  };
  try {
    const get = req.method === 'GET' || req.method === 'HEAD';
    const url = requestUrl(req.url);
    const route = url === null ? undefined : findRoute(routes, url.pathname);
    // before anything costly (a password check): a reserve connection serves scrapes only
    if (!guard.begin(req.socket, get && route?.reserved === true)) {
      server.observer.shed?.('reserve_only', req.socket.remoteAddress);
      sendBusy(res, (req.headers.accept ?? '').includes('text/event-stream'));
      return;
    }
    res.once('finish', () => guard.end(req.socket));
    if (!get) {
      res.setHeader('allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed\n');
      return;
    }
    if (url === null) {
      sendText(res, 400, 'bad request target\n');
      return;
    }
    const run = (): void => {
      if (route === undefined) {
        sendText(res, 404, 'not found\n');
        return;
      }
      Promise.resolve()
        .then(() => route.handle(req, res, url))
        .catch(fail);
    };
    if (gate === null) run();
    else
      gate
        .check(req, url.pathname)
        .then((denied) => (denied === null ? run() : denied(res)))
        .catch(fail);
  } catch (e) {
    fail(e);
  }
}

/**
 * Starts the HTTP(S) server (GET and HEAD only) on `host` (undefined: every address).
 * Resolves once it listens; a bind error rejects with a one-line message naming the address.
 */
export function startHttpServer(
  host: string | undefined,
  port: number,
  routes: readonly Route[],
  onError: (e: unknown) => void,
  options: HttpServerOptions = {},
): Promise<HttpServerHandle> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const observer = options.observer ?? {};
  const gate =
    options.webConfig === undefined ? null : new WebGate(options.webConfig, (outcome, client) => observer.auth?.(outcome, client));
  const guard = new ConnectionGuard(limits, (reason, client) => observer.shed?.(reason, client));
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void =>
    dispatch({ routes, gate, onError, guard, observer }, req, res);
  // How often Node looks for requests past their timeouts (its default, 30 s, would let them run 3× over).
  const connectionsCheckingInterval = Math.max(50, Math.min(limits.headersTimeout, limits.requestTimeout) / 4);
  const server: http.Server =
    gate?.tls === undefined || gate.tls === null
      ? http.createServer({ connectionsCheckingInterval }, listener)
      : https.createServer({ ...gate.tls.serverOptions(), connectionsCheckingInterval, handshakeTimeout: limits.headersTimeout }, listener);
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.requestTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
  server.timeout = limits.inactivityTimeout;
  // the guard, not net.Server's maxConnections (which refuses the newest, scrapes included), keeps the cap
  server.on('connection', (socket: Socket) => guard.admit(socket));
  // Requests Node's parser rejects (bad request line, huge head, timeout) also get an answer with our headers.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const answer = clientErrorResponse(err.code);
    if (answer !== null && socket.writable) socket.end(answer);
    else socket.destroy();
  });
  // CONNECT is not a request Node passes to the handler; without this it would just close the connection.
  server.on('connect', (_req: http.IncomingMessage, socket: Socket) => {
    if (socket.writable) socket.end(rawResponse(405, 'Method Not Allowed', 'allow: GET, HEAD\r\n'));
    else socket.destroy();
  });
  if (gate?.tls) {
    const tlsGate = gate.tls;
    server.on('secureConnection', (socket: TLSSocket) => tlsGate.checkClient(socket));
    server.on('tlsClientError', () => {
      /* a failed handshake: nothing to answer over */
    });
  }
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`cannot listen on ${formatListenAddress({ host, port })}: ${e.code ?? e.message}`)),
    );
    server.listen(port, host, () => {
      // From now on a server error (e.g. accept failing with EMFILE) is reported, never thrown.
      server.on('error', onError);
      const addr = server.address() as AddressInfo;
      resolve({
        port: addr.port,
        address: addr.address,
        applyWebConfig: (config) => {
          if (gate === null) throw new Error('the server was started without --web.config.file; restart to use one');
          gate.apply(config, server as https.Server);
        },
        connections: () => guard.counts(),
        close: () =>
          new Promise<void>((done) => {
            gate?.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
