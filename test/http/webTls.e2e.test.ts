/**
 * `--web.config.file` end to end with curl: TLS, basic auth (bcrypt), /healthz open by
 * default, client certificates, min_version, and the file re-read when it changes.
 * Certificates are made with the openssl CLI for each run.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fillHour } from '../helpers/simpleStore.js';
import { waitFor, WAIT_MS } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { repoRoot as REPO_ROOT, requireBinary, run } from '../ops/opsHelpers.js';
import { hashOf, makeCerts, startTlsDaemon, writeWebConfig, type Certs, type TlsDaemon } from './tlsFixture.js';

interface CurlResult {
  exit: number | null;
  status: string;
  headers: string;
}

function curl(url: string, args: string[] = []): CurlResult {
  const r = run(
    requireBinary('curl', 'curl'),
    ['-sS', '-D', '-', '-o', '/dev/null', '-w', '\n%{http_code}', '--max-time', '60', ...args, url],
    { timeoutMs: 90_000 },
  );
  const lines = r.stdout.trimEnd().split('\n');
  return { exit: r.status, status: lines.at(-1) ?? '', headers: lines.slice(0, -1).join('\n') };
}

describe('TLS and basic auth with curl', () => {
  let dir = '';
  let certs: Certs;
  let d: TlsDaemon;
  let webFile = '';
  let args: string[] = [];
  const tlsDoc = (c: Certs, extra: Record<string, unknown> = {}) => ({ cert_file: c.serverCert, key_file: c.serverKey, ...extra });

  before(async () => {
    dir = await makeTmpDir('webtls');
    certs = await makeCerts(dir);
    const base = path.join(dir, 'store');
    fillHour(base, 'chan', 'source', '2026-11-01T07', 0, 40);
    webFile = path.join(dir, 'web.yml');
    await writeWebConfig(webFile, { tls_server_config: tlsDoc(certs), basic_auth_users: { alice: hashOf('wonderland') } });
    args = [
      'chan',
      '--base-dir',
      base,
      '--output-dir',
      path.join(dir, 'maps'),
      '--no-watch',
      '--log-level',
      'info',
      '--port-file',
      path.join(dir, 'health-url'),
    ];
    d = await startTlsDaemon(args, webFile, certs.ca);
  });

  after(async () => {
    await d?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('/metrics needs the password; a right one gets the metrics', () => {
    const ca = ['--cacert', certs.ca];
    const none = curl(`${d.url}/metrics`, ca);
    assert.equal(none.status, '401');
    assert.match(none.headers, /^www-authenticate: Basic/im);
    assert.match(none.headers, /^x-content-type-options: nosniff/im, 'security headers on the 401 too');
    assert.equal(curl(`${d.url}/metrics`, [...ca, '-u', 'alice:wrong']).status, '401');
    assert.equal(curl(`${d.url}/metrics`, [...ca, '-u', 'bob:wonderland']).status, '401');
    assert.equal(curl(`${d.url}/metrics`, [...ca, '-u', 'alice:wonderland']).status, '200');
    for (const p of ['/', '/api/v1/coverage', '/readyz', '/nope']) assert.equal(curl(`${d.url}${p}`, ca).status, '401', p);
  });

  it('/healthz is open by default', () => {
    assert.equal(curl(`${d.url}/healthz`, ['--cacert', certs.ca]).status, '200');
  });

  it("the image's HEALTHCHECK follows TLS: the port file says https, and the check passes against it", () => {
    const url = readFileSync(path.join(dir, 'health-url'), 'utf8').trim();
    assert.equal(url, `https://127.0.0.1:${d.port}/healthz`);
    const check = (file: string) =>
      run(process.execPath, [path.join(REPO_ROOT, 'bin', 'healthcheck.js')], {
        env: { ...process.env, SEGCOV_PORT_FILE: file },
        timeoutMs: 60_000,
      }).status;
    assert.equal(check(path.join(dir, 'health-url')), 0);
    // the same check against a port nobody serves fails: the exit status means something
    const dead = path.join(dir, 'dead-url');
    writeFileSync(dead, 'https://127.0.0.1:1/healthz\n');
    assert.equal(check(dead), 1);
  });

  it('the certificate is checked by curl against the test CA (and plain HTTP is not served)', () => {
    const untrusted = curl(`${d.url}/healthz`);
    assert.notEqual(untrusted.exit, 0, 'curl must refuse a certificate from an unknown CA');
    const plain = curl(`http://127.0.0.1:${d.port}/healthz`);
    assert.notEqual(plain.status, '200');
  });

  it('a changed file is applied without a restart: new password, then /healthz behind auth too', async () => {
    const ca = ['--cacert', certs.ca];
    await writeWebConfig(webFile, { tls_server_config: tlsDoc(certs), basic_auth_users: { alice: hashOf('looking-glass') } });
    await waitFor(
      'the new password',
      async () => (curl(`${d.url}/metrics`, [...ca, '-u', 'alice:looking-glass']).status === '200' ? true : undefined),
      WAIT_MS,
      200,
    );
    assert.equal(curl(`${d.url}/metrics`, [...ca, '-u', 'alice:wonderland']).status, '401');
    await writeWebConfig(webFile, {
      tls_server_config: tlsDoc(certs),
      basic_auth_users: { alice: hashOf('looking-glass') },
      unauthenticated_paths: [],
    });
    await waitFor('/healthz behind auth', async () => (curl(`${d.url}/healthz`, ca).status === '401' ? true : undefined), WAIT_MS, 200);
    assert.equal(curl(`${d.url}/healthz`, [...ca, '-u', 'alice:looking-glass']).status, '200');
  });

  it('a broken file is logged and the previous settings stay', async () => {
    const ca = ['--cacert', certs.ca];
    await writeWebConfig(webFile, { basic_auth_users: { alice: 'plain-text' } });
    await waitFor('the error in the log', async () => (/cannot apply the web config/.test(d.stderr()) ? true : undefined), WAIT_MS, 200);
    assert.match(d.stderr(), /not a bcrypt hash/);
    assert.equal(curl(`${d.url}/metrics`, [...ca, '-u', 'alice:looking-glass']).status, '200');
    assert.equal(curl(`${d.url}/metrics`, ca).status, '401');
    assert.equal(d.proc.exitCode, null);
  });

  it('client certificates: RequireAndVerifyClientCert, then VerifyClientCertIfGiven, applied by reload', async () => {
    const ca = ['--cacert', certs.ca, '-u', 'alice:x'];
    const mine = ['--cert', certs.clientCert, '--key', certs.clientKey];
    const strangers = ['--cert', certs.strangerCert, '--key', certs.strangerKey];
    await writeWebConfig(webFile, {
      tls_server_config: tlsDoc(certs, { client_auth_type: 'RequireAndVerifyClientCert', client_ca_file: certs.ca }),
      basic_auth_users: { alice: hashOf('x') },
    });
    await waitFor('client certificates required', async () => (curl(`${d.url}/healthz`, ca).exit !== 0 ? true : undefined), WAIT_MS, 200);
    assert.equal(curl(`${d.url}/metrics`, [...ca, ...mine]).status, '200');
    assert.notEqual(curl(`${d.url}/metrics`, [...ca, ...strangers]).status, '200');
    await writeWebConfig(webFile, {
      tls_server_config: tlsDoc(certs, { client_auth_type: 'VerifyClientCertIfGiven', client_ca_file: certs.ca }),
      basic_auth_users: { alice: hashOf('x') },
    });
    await waitFor(
      'client certificates optional',
      async () => (curl(`${d.url}/metrics`, ca).status === '200' ? true : undefined),
      WAIT_MS,
      200,
    );
    assert.equal(curl(`${d.url}/metrics`, [...ca, ...mine]).status, '200');
    assert.notEqual(curl(`${d.url}/metrics`, [...ca, ...strangers]).status, '200', 'a certificate that is given must verify');
  });

  it('min_version TLS13 refuses a TLS 1.2 client', async () => {
    const ca = ['--cacert', certs.ca];
    await writeWebConfig(webFile, { tls_server_config: tlsDoc(certs, { min_version: 'TLS13' }) });
    await waitFor(
      'TLS 1.2 refused',
      async () => (curl(`${d.url}/healthz`, [...ca, '--tls-max', '1.2']).exit !== 0 ? true : undefined),
      WAIT_MS,
      200,
    );
    assert.equal(curl(`${d.url}/healthz`, [...ca, '--tlsv1.3']).status, '200');
    assert.equal(curl(`${d.url}/metrics`, ca).status, '200', 'no users: no basic auth');
    // the users were dropped by this reload: basic auth turned off is said at warn, not info
    const off = await waitFor('the warning', async () => {
      const lines = d
        .stderr()
        .split('\n')
        .filter((l) => l.includes('basic auth is now off'));
      return lines.length > 0 ? lines : undefined;
    });
    assert.equal(off.length, 1, d.stderr());
    assert.match(off[0], /"level":"warn"/);
  });

  it('SIGHUP re-reads the web config (logged even though the file did not change) and the daemon stays up', async () => {
    const count = (): number => (d.stderr().match(/"msg":"web config loaded"/g) ?? []).length;
    const before = count();
    d.proc.kill('SIGHUP');
    await waitFor('the reload on SIGHUP', async () => (count() > before ? true : undefined), WAIT_MS, 100);
    assert.equal(d.proc.exitCode, null);
    assert.equal(curl(`${d.url}/healthz`, ['--cacert', certs.ca]).status, '200');
  });
});
