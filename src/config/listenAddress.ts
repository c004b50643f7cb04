import { isIPv6 } from 'node:net';

/** One address the HTTP server listens on. No `host`: every address of the machine (`:port`). */
export interface ListenAddress {
  readonly host?: string;
  readonly port: number;
}

const FORM = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * `host:port`, `[IPv6]:port` or `:port`, as Go's net.Listen reads node_exporter's
 * `--web.listen-address`; an IPv6 address needs its brackets. null when it is none of them.
 */
export function parseListenAddress(text: string): ListenAddress | null {
  const m = FORM.exec(text.trim());
  if (m === null) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  if (m[1] !== undefined) return isIPv6(m[1]) ? { host: m[1], port } : null;
  if (m[2] === '') return { port };
  return HOST_NAME.test(m[2]) ? { host: m[2], port } : null;
}

/** The address as written in the flag (IPv6 in brackets, `:port` for every address). */
export function formatListenAddress(a: ListenAddress): string {
  const host = a.host === undefined ? '' : a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${host}:${a.port}`;
}
