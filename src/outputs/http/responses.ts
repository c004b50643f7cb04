import type http from 'node:http';

/** Seconds a client refused for want of room is asked to wait. */
const BUSY_RETRY_S = 10;

export function sendText(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  sendText(res, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8');
}

/**
 * Answers a request there is no room for: an event stream (EventSource gives up on an
 * error status) is told to come back in BUSY_RETRY_S, anything else gets a 503 saying so.
 */
export function sendBusy(res: http.ServerResponse, eventStream: boolean): void {
  res.setHeader('connection', 'close');
  if (eventStream) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`retry: ${BUSY_RETRY_S * 1000}\n: busy\n\n`);
    return;
  }
  res.setHeader('retry-after', String(BUSY_RETRY_S));
  sendText(res, 503, 'too many connections; try again later\n');
}
