/**
 * Headers sent with every answer, errors included. The status page forbids framing
 * (its own CSP says `frame-ancestors 'none'`); Grafana shows the maps as images and
 * links to the page, which neither header prevents. No Cross-Origin-Resource-Policy:
 * that would stop Grafana's cross-origin `<img>`.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** A whole raw HTTP/1.1 answer with the security headers, for sockets the HTTP layer has handed over. */
export function rawResponse(status: number, reason: string, extra = ''): string {
  const headers = Object.entries(SECURITY_HEADERS)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const body = `${reason.toLowerCase()}\n`;
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n${extra}${headers}connection: close\r\n\r\n${body}`;
}

/**
 * The raw answer to a request Node's HTTP parser rejected (by its error code), or null
 * when the client is gone and nothing should be written.
 */
export function clientErrorResponse(code: string | undefined): string | null {
  if (code === 'ECONNRESET' || code === 'EPIPE') return null;
  if (code === 'HPE_HEADER_OVERFLOW') return rawResponse(431, 'Request Header Fields Too Large');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return rawResponse(408, 'Request Timeout');
  return rawResponse(400, 'Bad Request');
}
