import { createRequire } from 'node:module';
import path from 'node:path';
import tls from 'node:tls';
import { readSmallFileSync, SmallFileError } from '../../config/readSmallFile.js';

/** exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType names). */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS: Readonly<Record<string, tls.SecureVersion>> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** `tls_server_config`, with its files read. */
export interface TlsSettings {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa: Buffer | null;
  readonly clientAuth: ClientAuthType;
  readonly minVersion: tls.SecureVersion;
  readonly maxVersion: tls.SecureVersion | undefined;
}

/** A parsed `--web.config.file`. */
export interface WebConfig {
  readonly tls: TlsSettings | null;
  /** user → bcrypt hash; empty: no basic auth. */
  readonly users: ReadonlyMap<string, string>;
  /** Paths answered without basic auth (segcov's own key; default `[/healthz]`). */
  readonly unauthenticatedPaths: ReadonlySet<string>;
  /** The config file and the files it names: a change to any of them triggers a re-read. */
  readonly files: readonly string[];
}

/** What is wrong with a web config file (one line). */
export class WebConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebConfigError';
  }
}

const TOP_KEYS = new Set(['tls_server_config', 'basic_auth_users', 'unauthenticated_paths']);
const TLS_KEYS = new Set(['cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version']);
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

function mapping(v: unknown, where: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new WebConfigError(`${where} must be a mapping`);
  return v as Record<string, unknown>;
}

function optString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new WebConfigError(`${where} must be a string`);
  return v;
}

function version(v: unknown, where: string): tls.SecureVersion | undefined {
  const s = optString(v, where);
  if (s === undefined) return undefined;
  const out = TLS_VERSIONS[s];
  if (out === undefined) throw new WebConfigError(`${where}: "${s}" is not one of ${Object.keys(TLS_VERSIONS).join(', ')}`);
  return out;
}

function parseTls(doc: Record<string, unknown>, dir: string, read: (file: string) => Buffer, files: string[]): TlsSettings | null {
  for (const k of Object.keys(doc))
    if (!TLS_KEYS.has(k)) throw new WebConfigError(`tls_server_config.${k} is not supported (known: ${[...TLS_KEYS].join(', ')})`);
  const certFile = optString(doc.cert_file, 'tls_server_config.cert_file');
  const keyFile = optString(doc.key_file, 'tls_server_config.key_file');
  const caFile = optString(doc.client_ca_file, 'tls_server_config.client_ca_file');
  const authText = optString(doc.client_auth_type, 'tls_server_config.client_auth_type') ?? 'NoClientCert';
  if (certFile === undefined && keyFile === undefined) {
    if (Object.keys(doc).length > 0) throw new WebConfigError('tls_server_config: cert_file and key_file are required');
    return null;
  }
  if (certFile === undefined) throw new WebConfigError('tls_server_config: missing cert_file');
  if (keyFile === undefined) throw new WebConfigError('tls_server_config: missing key_file');
  if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(authText)) {
    throw new WebConfigError(`tls_server_config.client_auth_type: "${authText}" is not one of ${CLIENT_AUTH_TYPES.join(', ')}`);
  }
  const clientAuth = authText as ClientAuthType;
  if (caFile !== undefined && clientAuth === 'NoClientCert')
    throw new WebConfigError('tls_server_config: client_ca_file is set but client_auth_type is NoClientCert');
  if (caFile === undefined && (clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert')) {
    throw new WebConfigError(`tls_server_config: client_auth_type ${clientAuth} needs client_ca_file`);
  }
  const load = (name: string, file: string): Buffer => {
    const full = path.resolve(dir, file);
    files.push(full);
    try {
      return read(full);
    } catch (e) {
      throw new WebConfigError(`tls_server_config.${name}: ${readProblem(full, e)}`);
    }
  };
  const settings: TlsSettings = {
    cert: load('cert_file', certFile),
    key: load('key_file', keyFile),
    clientCa: caFile === undefined ? null : load('client_ca_file', caFile),
    clientAuth,
    minVersion: version(doc.min_version, 'tls_server_config.min_version') ?? 'TLSv1.2',
    maxVersion: version(doc.max_version, 'tls_server_config.max_version'),
  };
  try {
    tls.createSecureContext(secureContextOptions(settings));
  } catch (e) {
    throw new WebConfigError(`tls_server_config: ${(e as Error).message}`);
  }
  return settings;
}

/** The parts of TLS settings that make Node's secure context. */
export function secureContextOptions(s: TlsSettings): tls.SecureContextOptions {
  return { cert: s.cert, key: s.key, ca: s.clientCa ?? undefined, minVersion: s.minVersion, maxVersion: s.maxVersion };
}

function parseUsers(v: unknown): Map<string, string> {
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(mapping(v, 'basic_auth_users'))) {
    if (typeof hash !== 'string' || !BCRYPT.test(hash)) throw new WebConfigError(`basic_auth_users.${user}: not a bcrypt hash`);
    if (user.includes(':')) throw new WebConfigError(`basic_auth_users: user name "${user}" contains ':'`);
    users.set(user, hash);
  }
  return users;
}

function parsePaths(v: unknown): Set<string> {
  if (v === undefined || v === null) return new Set(['/healthz']);
  if (!Array.isArray(v) || !v.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw new WebConfigError('unauthenticated_paths must be a list of paths starting with /');
  }
  return new Set(v as string[]);
}

/**
 * Parses the text of a web config file (exporter-toolkit's format plus segcov's own
 * `unauthenticated_paths`). Files it names are relative to the config's folder.
 */
export function parseWebConfig(text: string, file: string, read: (file: string) => Buffer = readSmallFileSync): WebConfig {
  let doc: unknown;
  try {
    const YAML = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = YAML.parse(text);
  } catch (e) {
    throw new WebConfigError(`${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const top = mapping(doc, file);
  for (const k of Object.keys(top))
    if (!TOP_KEYS.has(k)) throw new WebConfigError(`${k} is not supported (known: ${[...TOP_KEYS].join(', ')})`);
  const files = [file];
  const tlsSettings = parseTls(mapping(top.tls_server_config, 'tls_server_config'), path.dirname(file), read, files);
  return { tls: tlsSettings, users: parseUsers(top.basic_auth_users), unauthenticatedPaths: parsePaths(top.unauthenticated_paths), files };
}

/** One line on why `file` was not read. */
function readProblem(file: string, e: unknown): string {
  if (e instanceof SmallFileError) return e.message;
  return `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
}

/**
 * Reads and parses a web config file; any problem is a WebConfigError. The file and those it
 * names are read as `--config` is (readSmallFileSync): regular files of at most 1 MiB only,
 * so a FIFO or a link to /dev/zero is refused instead of blocking or filling the heap.
 */
export function loadWebConfig(file: string): WebConfig {
  const full = path.resolve(file);
  let text: string;
  try {
    text = readSmallFileSync(full).toString('utf8');
  } catch (e) {
    throw new WebConfigError(readProblem(full, e));
  }
  return parseWebConfig(text, full);
}
