import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { formatListenAddress } from '../../config/listenAddress.js';
import { SECURITY_HEADERS, clientErrorResponse, rawResponse } from './securityHeaders.js';
import type { WebConfig } from './webConfig.js';
import { WebGate } from './webGate.js';

/** One HTTP route. `path` matches the URL path exactly, or by prefix when it ends in `/`. */
export interface Route {
  readonly path: string;
  readonly handle: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;
}

export interface HttpServerHandle {
  readonly port: number;
  /** The address bound (`::` or `0.0.0.0` when given none). */
  readonly address: string;
  /** Applies a re-read web config (TLS files, client auth, users). Throws when it cannot (e.g. TLS turned on or off: that needs a restart). */
  applyWebConfig(config: WebConfig): void;
  close(): Promise<void>;
}

/** Timeouts and the connection cap. */
export interface ServerLimits {
  /** ms to receive the whole request head (slowloris). */
  readonly headersTimeout: number;
  /** ms to receive the whole request. */
  readonly requestTimeout: number;
  /** ms an idle kept-alive connection stays open (Prometheus scrapes reuse it; 15 s covers its default interval). */
  readonly keepAliveTimeout: number;
  /** Open connections at most; further ones are closed at once. */
  readonly maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 15_000,
  maxConnections: 512,
};

export interface HttpServerOptions {
  readonly limits?: Partial<ServerLimits>;
  /** `--web.config.file`: TLS and basic auth. Absent: plain HTTP, no auth. */
  readonly webConfig?: WebConfig;
}

export function sendText(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  sendText(res, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8');
}

function findRoute(routes: readonly Route[], pathname: string): Route | undefined {
  return routes.find((r) => r.path === pathname) ??
    routes.filter((r) => r.path.endsWith('/') && r.path !== '/' && pathname.startsWith(r.path))
      .sort((a, b) => b.path.length - a.path.length)[0];
}

/** The request target as a URL, or null when it is not one (`//[`, `http://[/`, `//x:abc/`). */
export function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/**
 * Answers one request. Nothing a client sends can make this throw: a bad target is a
 * 400, and a handler's failure, synchronous or not, is reported through `onError` and
 * answered with a 500 (or the connection is cut when the head is already out).
 */
function dispatch(routes: readonly Route[], gate: WebGate | null, onError: (e: unknown) => void, req: http.IncomingMessage, res: http.ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  const fail = (e: unknown): void => {
    onError(e);
    if (!res.headersSent) sendText(res, 500, 'internal error\n');
    else res.destroy();
  };
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed\n');
      return;
    }
    const url = requestUrl(req.url);
    if (url === null) {
      sendText(res, 400, 'bad request target\n');
      return;
    }
    const route = findRoute(routes, url.pathname);
    const run = (): void => {
      if (route === undefined) {
        sendText(res, 404, 'not found\n');
        return;
      }
      Promise.resolve().then(() => route.handle(req, res, url)).catch(fail);
    };
    if (gate === null) run();
    else gate.check(req, url.pathname).then((denied) => (denied === null ? run() : denied(res))).catch(fail);
  } catch (e) {
    fail(e);
  }
}

/**
 * Starts the HTTP(S) server (GET and HEAD only) on `host` (undefined: every address).
 * Resolves once it listens; a bind error rejects with a one-line message naming the address.
 */
export function startHttpServer(host: string | undefined, port: number, routes: readonly Route[], onError: (e: unknown) => void, options: HttpServerOptions = {}): Promise<HttpServerHandle> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const gate = options.webConfig === undefined ? null : new WebGate(options.webConfig);
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => dispatch(routes, gate, onError, req, res);
  // How often Node looks for requests past their timeouts (its default, 30 s, would let them run 3× over).
  const connectionsCheckingInterval = Math.max(50, Math.min(limits.headersTimeout, limits.requestTimeout) / 4);
  const server: http.Server = gate?.tls === undefined || gate.tls === null
    ? http.createServer({ connectionsCheckingInterval }, listener)
    : https.createServer({ ...gate.tls.serverOptions(), connectionsCheckingInterval, handshakeTimeout: limits.headersTimeout }, listener);
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.requestTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
  server.maxConnections = limits.maxConnections;
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
    server.on('tlsClientError', () => { /* a failed handshake: nothing to answer over */ });
  }
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${formatListenAddress({ host, port })}: ${e.code ?? e.message}`)));
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
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
