import type { ClientConfig } from 'pg';

/**
 * `--connection-string`, as the replaced checker took it (psycopg2/libpq): either a
 * `postgresql://` URI, which is handed to `pg` as it is (pg parses URIs itself), or a
 * libpq `key=value` list (`dbname=wubloader user=vst password=x host=db`), which pg does
 * not read and is parsed here by libpq's rules: values may be single-quoted, with `\'`
 * and `\\` escapes inside quotes or out; spaces around `=` are allowed.
 */
export function pgClientConfig(dsn: string): ClientConfig {
  const text = dsn.trim();
  if (/^postgres(ql)?:\/\//i.test(text)) return { connectionString: text };
  const kv = parseKeyValueDsn(text);
  const cfg: ClientConfig = {};
  for (const [key, value] of kv) {
    switch (key) {
      case 'host':
      case 'hostaddr':
        cfg.host = value;
        break;
      case 'port':
        cfg.port = portNumber(value);
        break;
      case 'dbname':
        cfg.database = value;
        break;
      case 'user':
        cfg.user = value;
        break;
      case 'password':
        cfg.password = value;
        break;
      case 'connect_timeout':
        cfg.connectionTimeoutMillis = Number(value) * 1000;
        break;
      case 'application_name':
        cfg.application_name = value;
        break;
      case 'sslmode':
        if (value === 'require' || value === 'verify-ca' || value === 'verify-full')
          cfg.ssl = value === 'require' ? { rejectUnauthorized: false } : true;
        else if (value === 'disable' || value === 'allow' || value === 'prefer') cfg.ssl = false;
        else throw new Error(`sslmode "${value}" is not a libpq ssl mode`);
        break;
      default:
        // other libpq keywords (options, keepalives, …) change nothing segcov relies on
        break;
    }
  }
  return cfg;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`port "${value}" is not a port number`);
  return n;
}

/** libpq's `key = value` list → [key, value] pairs, in order. Throws on a malformed list. */
export function parseKeyValueDsn(text: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) break;
    const keyStart = i;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
    const key = text.slice(keyStart, i);
    skipSpace();
    if (key === '' || text[i] !== '=') throw new Error(`expected key=value at "${text.slice(keyStart, keyStart + 20)}"`);
    i++;
    skipSpace();
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`unterminated quoted value for "${key}"`);
        const c = text[i];
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (c === "'") {
          i++;
          break;
        }
        value += c;
        i++;
      }
    } else {
      while (i < text.length && !/\s/.test(text[i])) {
        if (text[i] === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += text[i];
        i++;
      }
    }
    out.push([key, value]);
  }
  if (out.length === 0) throw new Error('empty connection string');
  return out;
}

/**
 * Where a connection string points, for logs: `user@host:port/db` without the password.
 * Throws (with a message fit for a usage error) when the string cannot be read.
 */
export function describeConnectionString(dsn: string): string {
  const cfg = pgClientConfig(dsn);
  if (cfg.connectionString !== undefined) {
    let u: URL;
    try {
      u = new URL(cfg.connectionString);
    } catch {
      throw new Error('not a valid postgresql:// URI');
    }
    return `${u.username === '' ? '' : `${decodeURIComponent(u.username)}@`}${u.host}${u.pathname}`;
  }
  return `${cfg.user === undefined ? '' : `${cfg.user}@`}${cfg.host ?? 'localhost'}${cfg.port === undefined ? '' : `:${cfg.port}`}/${cfg.database ?? ''}`;
}
