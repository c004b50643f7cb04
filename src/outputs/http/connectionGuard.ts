import type { Socket } from 'node:net';
import { clientKey } from './clientAddress.js';
import type { ShedReason } from '../../config/httpLimits.js';

export interface GuardLimits {
  readonly maxConnections: number;
  readonly scrapeReserve: number;
  readonly perClient: number;
}

interface Conn {
  readonly socket: Socket;
  readonly client: string;
  /** Admitted into the scrape reserve: serves /metrics, /healthz and /readyz only. */
  readonly reserved: boolean;
  /** A request is being answered (or a stream is open): not closed to make room. */
  busy: boolean;
}

/** A connection's name, the same for the raw socket and its TLS wrapping: its peer's address and port. */
function keyOf(socket: Socket): string | null {
  return socket.remoteAddress === undefined || socket.remotePort === undefined ? null : `${socket.remoteAddress} ${socket.remotePort}`;
}

/**
 * Who may hold the server's connections. The path is not known when a connection is
 * accepted, so each is admitted into one of two pools:
 * - the general pool (all but `scrapeReserve` connections, `perClient` per client address),
 * - the scrape reserve, when the general pool has no room for it: such a connection may
 *   only ask for a scrape path; anything else is refused.
 * Room is made by closing idle connections (kept alive between requests, or not yet done
 * sending their first request), least recently active first: only connections that are
 * answering (event streams among them) hold their place. A new connection that finds no
 * room even so is closed at once.
 */
export class ConnectionGuard {
  /** Open connections, least recently active first (one that turns idle moves to the end). */
  private readonly conns = new Map<string, Conn>();
  private readonly held = new Map<string, number>();
  private general = 0;
  private reserve = 0;

  constructor(
    private readonly limits: GuardLimits,
    private readonly shed: (reason: ShedReason, client: string) => void,
  ) {}

  /** Connections open in each pool. */
  counts(): { general: number; reserve: number } {
    return { general: this.general, reserve: this.reserve };
  }

  /** A connection was accepted: admits it, making room if needed, or closes it. */
  admit(socket: Socket): void {
    const key = keyOf(socket);
    if (key === null) {
      socket.destroy(); // already gone
      return;
    }
    const client = clientKey(socket.remoteAddress);
    const generalMax = this.limits.maxConnections - this.limits.scrapeReserve;
    const own = (): number => this.held.get(client) ?? 0;
    if (own() >= this.limits.perClient) this.closeIdle((c) => !c.reserved && c.client === client);
    else if (this.general >= generalMax) this.closeIdle((c) => !c.reserved);
    let reserved = false;
    if (own() >= this.limits.perClient || this.general >= generalMax) {
      if (this.reserve >= this.limits.scrapeReserve && !this.closeIdle((c) => c.reserved)) {
        this.shed('refused', client);
        socket.destroy();
        return;
      }
      reserved = true;
    }
    const conn: Conn = { socket, client, reserved, busy: false };
    this.conns.set(key, conn);
    if (reserved) this.reserve += 1;
    else {
      this.general += 1;
      this.held.set(client, own() + 1);
    }
    socket.once('close', () => this.remove(key, conn));
  }

  /**
   * A request arrived on `socket`; false when it must be refused (a reserve connection
   * asking for anything but a scrape). Its connection holds its place until `end`.
   */
  begin(socket: Socket, scrape: boolean): boolean {
    const conn = this.find(socket);
    if (conn === undefined) return true;
    if (conn.reserved && !scrape) return false;
    conn.busy = true;
    return true;
  }

  /** The answer on `socket` is out: its connection is idle, the most recently active. */
  end(socket: Socket): void {
    const conn = this.find(socket);
    if (conn === undefined) return;
    conn.busy = false;
    const key = keyOf(socket) as string;
    this.conns.delete(key);
    this.conns.set(key, conn);
  }

  private find(socket: Socket): Conn | undefined {
    const key = keyOf(socket);
    return key === null ? undefined : this.conns.get(key);
  }

  /** Closes the least recently active idle connection that `which` accepts; false when there is none. */
  private closeIdle(which: (c: Conn) => boolean): boolean {
    for (const [key, c] of this.conns) {
      if (c.busy || !which(c)) continue;
      this.remove(key, c);
      c.socket.destroy();
      this.shed('idle_closed', c.client);
      return true;
    }
    return false;
  }

  private remove(key: string, conn: Conn): void {
    if (this.conns.get(key) !== conn) return;
    this.conns.delete(key);
    if (conn.reserved) this.reserve -= 1;
    else {
      this.general -= 1;
      const n = (this.held.get(conn.client) ?? 1) - 1;
      if (n === 0) this.held.delete(conn.client);
      else this.held.set(conn.client, n);
    }
  }
}
