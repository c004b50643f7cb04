/**
 * Test certificates made with the openssl CLI in a temp folder, a web config writer, and a
 * daemon started with `--web.config.file` (ready once /healthz answers over TLS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import YAML from 'yaml';
import { BIN, cleanEnv, freePort } from '../helpers/cli.js';
import { requireBinary, run } from '../ops/opsHelpers.js';

export interface Certs {
  readonly dir: string;
  /** CA that signs the server and the trusted client. */
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate from another CA. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

function openssl(dir: string, args: string[]): void {
  const r = run(requireBinary('openssl', 'openssl'), args, { cwd: dir });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
}

function makeLeaf(dir: string, name: string, ca: string, ext: string): void {
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and one from another CA. */
export async function makeCerts(dir: string): Promise<Certs> {
  await writeFile(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  makeCa(dir, 'ca');
  makeCa(dir, 'otherca');
  makeLeaf(dir, 'server', 'ca', 'server.ext');
  makeLeaf(dir, 'client', 'ca', 'client.ext');
  makeLeaf(dir, 'stranger', 'otherca', 'client.ext');
  const p = (f: string): string => path.join(dir, f);
  return {
    dir,
    ca: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    strangerCert: p('stranger.crt'),
    strangerKey: p('stranger.key'),
  };
}

/** bcrypt hash at a low cost (tests): the check is the same at any cost. */
export const hashOf = (password: string): string => bcrypt.hashSync(password, 4);

export async function writeWebConfig(file: string, doc: Record<string, unknown>): Promise<void> {
  await writeFile(`${file}.tmp`, YAML.stringify(doc));
  // rename over, as editors and config management do
  const { rename } = await import('node:fs/promises');
  await rename(`${file}.tmp`, file);
}

export interface TlsDaemon {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly url: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** GET over TLS trusting `ca`; resolves the status, or null when the connection fails. */
export function httpsStatus(url: string, ca: string, opts: { auth?: string; cert?: string; key?: string } = {}): Promise<number | null> {
  return new Promise((resolve) => {
    const req = https.get(
      url,
      {
        ca: readFileSync(ca),
        cert: opts.cert === undefined ? undefined : readFileSync(opts.cert),
        key: opts.key === undefined ? undefined : readFileSync(opts.key),
        auth: opts.auth,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(null));
  });
}

/** Starts the daemon with `--web.config.file`; ready once /healthz answers 200 over TLS. */
export async function startTlsDaemon(args: readonly string[], webConfig: string, ca: string, healthAuth?: string): Promise<TlsDaemon> {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [BIN, ...args, '--metrics-host', '127.0.0.1', '--metrics-port', String(port), '--web.config.file', webConfig],
    { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`daemon exited with ${proc.exitCode}:\n${err}`);
    if ((await httpsStatus(`${url}/healthz`, ca, { auth: healthAuth })) === 200) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`daemon not answering over TLS:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    port,
    url,
    stderr: () => err,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
