import net from 'node:net';
import tls from 'node:tls';

/** A client connection a test keeps open: what it received, and whether the server closed it. */
export interface Held {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  isClosed(): boolean;
  received(): string;
}

/**
 * Opens a connection to 127.0.0.1:port from `localAddress` (any 127.x.y.z is this machine)
 * and writes `bytes` (nothing: an idle connection). With `until`, resolves once that text
 * has arrived; otherwise once connected.
 */
export function hold(
  port: number,
  opts: { localAddress?: string; bytes?: string; until?: string; tls?: tls.ConnectionOptions } = {},
): Promise<Held> {
  return new Promise((resolve, reject) => {
    let text = '';
    let isClosed = false;
    const socket: net.Socket =
      opts.tls === undefined
        ? net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress })
        : tls.connect({ socket: net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress }), ...opts.tls });
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        isClosed = true;
        r();
      }),
    );
    const held: Held = { socket, closed, isClosed: () => isClosed, received: () => text };
    socket.on('error', () => {
      /* a reset is a close, seen through `closed` */
    });
    socket.once(opts.tls === undefined ? 'connect' : 'secureConnect', () => {
      if (opts.bytes !== undefined) socket.write(opts.bytes);
      if (opts.until === undefined) resolve(held);
    });
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (opts.until !== undefined && text.includes(opts.until)) resolve(held);
    });
    void closed.then(() => {
      if (opts.until !== undefined && !text.includes(opts.until))
        reject(new Error(`closed before ${JSON.stringify(opts.until)}; got ${JSON.stringify(text.slice(0, 200))}`));
    });
  });
}

/** A request head asking for `path` and keeping the connection open. */
export const keepAliveGet = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
