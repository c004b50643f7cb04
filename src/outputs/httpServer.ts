import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One HTTP route. `path` matches the URL path exactly, or by prefix when it ends in `/`. */
export interface Route {
  readonly path: string;
  readonly handle: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;
}

export interface HttpServerHandle {
  readonly port: number;
  close(): Promise<void>;
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

/**
 * Starts the HTTP server (GET and HEAD only). Resolves once it listens; a bind error
 * rejects with a one-line message naming the address.
 */
export function startHttpServer(host: string, port: number, routes: readonly Route[], onError: (e: unknown) => void): Promise<HttpServerHandle> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendText(res, 405, 'method not allowed\n');
      return;
    }
    const route = findRoute(routes, url.pathname);
    if (route === undefined) {
      sendText(res, 404, 'not found\n');
      return;
    }
    Promise.resolve(route.handle(req, res, url)).catch((e: unknown) => {
      onError(e);
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${host}:${port}: ${e.code ?? e.message}`)));
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      resolve({
        port: addr.port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
