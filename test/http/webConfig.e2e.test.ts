/** Parsing `--web.config.file` (exporter-toolkit format), and a bad file at start-up: exit 2 naming the flag. */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseWebConfig, WebConfigError } from '../../src/outputs/http/webConfig.js';
import { freePort, runCli } from '../helpers/cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { hashOf, makeCerts, type Certs } from './tlsFixture.js';

describe('web config file', () => {
  let dir = '';
  let certs: Certs;
  const HASH = hashOf('secret');

  before(async () => {
    dir = await makeTmpDir('webconfig');
    certs = await makeCerts(dir);
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  const parse = (text: string) => parseWebConfig(text, path.join(dir, 'web.yml'));

  it('an empty file: plain HTTP, no users, /healthz open', () => {
    const c = parse('');
    assert.equal(c.tls, null);
    assert.equal(c.users.size, 0);
    assert.deepEqual([...c.unauthenticatedPaths], ['/healthz']);
  });

  it('a full file: TLS files read relative to the file, users, min version, paths', () => {
    const c = parse(
      [
        'tls_server_config:',
        '  cert_file: server.crt',
        '  key_file: server.key',
        '  client_auth_type: RequireAndVerifyClientCert',
        '  client_ca_file: ca.crt',
        '  min_version: TLS13',
        'basic_auth_users:',
        `  alice: ${HASH}`,
        'unauthenticated_paths: []',
      ].join('\n'),
    );
    assert.ok(c.tls !== null);
    assert.equal(c.tls.clientAuth, 'RequireAndVerifyClientCert');
    assert.equal(c.tls.minVersion, 'TLSv1.3');
    assert.ok(c.tls.cert.toString().includes('BEGIN CERTIFICATE'));
    assert.deepEqual([...c.users.keys()], ['alice']);
    assert.equal(c.unauthenticatedPaths.size, 0);
    assert.deepEqual(c.files, [path.join(dir, 'web.yml'), certs.serverCert, certs.serverKey, certs.ca]);
  });

  for (const [what, text, message] of [
    ['unknown key', 'http_server_config: {}', /http_server_config is not supported/],
    [
      'unknown TLS key',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: []',
      /cipher_suites is not supported/,
    ],
    ['missing key_file', 'tls_server_config:\n  cert_file: server.crt', /missing key_file/],
    [
      'bad client_auth_type',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Maybe',
      /client_auth_type: "Maybe"/,
    ],
    [
      'CA without client auth',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt',
      /client_ca_file is set/,
    ],
    [
      'verify without CA',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert',
      /needs client_ca_file/,
    ],
    ['bad min_version', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: SSL3', /min_version: "SSL3"/],
    ['missing cert file', 'tls_server_config:\n  cert_file: nowhere.crt\n  key_file: server.key', /cannot read .*nowhere\.crt: ENOENT/],
    ['key of another certificate', 'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key', /tls_server_config: .*key/i],
    ['plain-text password', 'basic_auth_users:\n  alice: secret', /alice: not a bcrypt hash/],
    ['not YAML', 'basic_auth_users: [', /not valid YAML/],
    ['paths not a list', 'unauthenticated_paths: /healthz', /unauthenticated_paths must be a list/],
  ] as const) {
    it(`rejects: ${what}`, () => {
      assert.throws(
        () => parse(text),
        (e: unknown) => e instanceof WebConfigError && message.test(e.message),
      );
    });
  }

  it('a bad file at start-up: exit 2 with one line naming --web.config.file', async () => {
    const file = path.join(dir, 'bad.yml');
    await writeFile(file, 'basic_auth_users:\n  alice: secret\n');
    const r = await runCli([
      'chan',
      '--base-dir',
      dir,
      '--output-dir',
      path.join(dir, 'maps'),
      '--metrics-host',
      '127.0.0.1',
      '--metrics-port',
      String(await freePort()),
      '--web.config.file',
      file,
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^segcov: --web\.config\.file: basic_auth_users\.alice: not a bcrypt hash\n$/);
    const missing = await runCli([
      'chan',
      '--base-dir',
      dir,
      '--metrics-host',
      '127.0.0.1',
      '--metrics-port',
      String(await freePort()),
      '--web.config.file',
      path.join(dir, 'none.yml'),
    ]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--web\.config\.file: cannot read .*none\.yml: ENOENT/);
    for (const extra of [['--run-once'], ['--metrics-port', '0']]) {
      const r2 = await runCli(['chan', '--base-dir', dir, '--output-dir', path.join(dir, 'maps'), '--web.config.file', file, ...extra]);
      assert.equal(r2.code, 2, `${extra.join(' ')}: ${r2.stderr}`);
      assert.match(r2.stderr, /--web\.config\.file: basic_auth_users\.alice/);
    }
    const fromConfig = path.join(dir, 'segcov.yml');
    await writeFile(fromConfig, `web.config.file: ${file}\n`);
    const r3 = await runCli(['chan', '--base-dir', dir, '--output-dir', path.join(dir, 'maps'), '--config', fromConfig, '--run-once']);
    assert.equal(r3.code, 2, `as a --config key: ${r3.stderr}`);
    assert.match(r3.stderr, /--web\.config\.file: basic_auth_users\.alice/);
  });
});

describe('basic auth header parsing', () => {
  it('never throws, and finds back any user (without ":") and password', async () => {
    const fc = (await import('fast-check')).default;
    const { parseBasicAuth } = await import('../../src/outputs/http/basicAuth.js');
    fc.assert(
      fc.property(fc.string(), (h) => {
        parseBasicAuth(h);
        parseBasicAuth(`Basic ${h}`);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.string().filter((u) => !u.includes(':')),
        fc.string(),
        (user, password) => {
          const got = parseBasicAuth(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
          assert.deepEqual(got, { user, password });
        },
      ),
      { numRuns: 2000 },
    );
    assert.equal(parseBasicAuth('Bearer abc'), null);
    assert.equal(parseBasicAuth(`Basic ${Buffer.from('no-colon').toString('base64')}`), null);
  });

  it('a right password passes, a wrong one or an unknown user does not', async () => {
    const { BasicAuth } = await import('../../src/outputs/http/basicAuth.js');
    const { PasswordChecks } = await import('../../src/outputs/http/passwordChecks.js');
    let checked = 0;
    const checks = new (class extends PasswordChecks {
      override compare(password: string, hash: string): Promise<boolean> {
        checked += 1;
        return super.compare(password, hash);
      }
    })();
    const auth = new BasicAuth(new Map([['alice', hashOf('pw')]]), checks);
    const h = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    try {
      assert.equal(await auth.verify(h('alice', 'pw')), 'right');
      assert.equal(await auth.verify(h('alice', 'pw')), 'right', 'again, from the cache');
      assert.equal(checked, 1, 'the second time needs no bcrypt check');
      assert.equal(await auth.verify(h('alice', 'pw2')), 'wrong');
      assert.equal(await auth.verify(h('bob', 'pw')), 'wrong');
      assert.equal(checked, 3, 'an unknown user costs a check too (no timing difference)');
      assert.equal(await auth.verify(undefined), 'missing');
      assert.equal(await auth.verify('Bearer x'), 'missing');
    } finally {
      checks.close();
    }
  });
});
