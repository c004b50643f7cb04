import { createRequire } from 'node:module';
import { pgClientConfig } from '../config/connectionString.js';
import type { DbNode } from './nodeList.js';

/** pg is loaded on first use, by require: a CommonJS package, and no dynamic import (the bundle runs from a code cache). */
const requireHere = createRequire(import.meta.url);

/** Seconds a connection or the query may take before the read counts as failed. */
const CONNECT_TIMEOUT_MS = 5000;
const QUERY_TIMEOUT_MS = 10_000;

/**
 * Reads wubloader's node list, as the replaced checker did:
 * `SELECT name, url FROM nodes WHERE backfill_from`. One short connection per read (a
 * read happens once per page write, minutes apart), so a database restart between reads
 * needs no reconnect logic. `pg` is loaded on first use: a daemon without
 * `--connection-string` never loads it.
 */
export function pgNodeFetcher(dsn: string): () => Promise<DbNode[]> {
  const base = pgClientConfig(dsn);
  return async () => {
    const pg = requireHere('pg') as typeof import('pg');
    const client = new pg.Client({
      ...base,
      connectionTimeoutMillis: base.connectionTimeoutMillis ?? CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    // a connection dropped by the server after the query would otherwise be an unhandled 'error'
    client.on('error', () => {});
    try {
      await client.connect();
      const r = await client.query<{ name: unknown; url: unknown }>('SELECT name, url FROM nodes WHERE backfill_from');
      return r.rows
        .filter((row) => typeof row.name === 'string' && typeof row.url === 'string')
        .map((row) => ({ name: row.name as string, url: row.url as string }));
    } finally {
      await client.end().catch(() => {});
    }
  };
}
