import net from 'node:net';
import tls from 'node:tls';

/** What came back for one raw request: the status (0 when the connection closed without one) and the head and body text. */
export interface RawReply {
  readonly status: number;
  readonly head: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** True when the server closed the connection without writing anything. */
  readonly dropped: boolean;
}

/** Parses one HTTP/1.x response (the whole of what the server sent before closing). */
export function parseReply(raw: string): RawReply {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: m === null ? 0 : Number(m[1]), head, headers, body: end < 0 ? '' : raw.slice(end + 4), dropped: raw.length === 0 };
}

/**
 * Writes `bytes` as they are to 127.0.0.1:port and reads until the server closes the
 * connection (send `Connection: close` for a well-formed request). Fails after `timeoutMs`.
 */
export function rawRequest(
  port: number,
  bytes: string | Buffer,
  opts: { timeoutMs?: number; tls?: tls.ConnectionOptions; localAddress?: string } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock: net.Socket =
      opts.tls === undefined
        ? net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress })
        : tls.connect({ socket: net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress }), ...opts.tls });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no end of reply to ${JSON.stringify(String(bytes).slice(0, 200))}`));
    }, opts.timeoutMs ?? 60_000);
    sock.on(opts.tls === undefined ? 'connect' : 'secureConnect', () => sock.write(bytes));
    sock.on('data', (d: Buffer) => chunks.push(d));
    // A reset after the answer was written still counts as an answer.
    sock.on('error', () => {
      /* the 'close' below reports what arrived */
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(parseReply(Buffer.concat(chunks).toString('latin1')));
    });
  });
}

/** A GET with the given raw target, asking the server to close after answering. */
export function rawGet(port: number, target: string, extraHeaders = ''): Promise<RawReply> {
  return rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extraHeaders}\r\n`);
}
