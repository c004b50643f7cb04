/**
 * Issue 23: web-config, certificate, key and CA files are read as `--config` is — regular
 * files of at most 1 MiB — so a FIFO cannot block the daemon and a link to /dev/zero cannot
 * fill its heap: refused with exit 2 at start-up, logged and counted on reload.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { rename, rm, symlink } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_CONFIG_BYTES, readSmallFileSync, SmallFileError } from '../../src/config/readSmallFile.js';
import { freePort, parseProm, runCli, waitFor } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { httpsStatus, makeCerts, startTlsDaemon, writeWebConfig, type Certs } from './tlsFixture.js';

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  assert.equal(r.status, 0, String(r.stderr));
}

/** GET over TLS trusting `ca`: the body. */
function httpsText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: readFileSync(ca), agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const refused =
  (problem: SmallFileError['problem'], what?: string) =>
  (e: unknown): boolean =>
    e instanceof SmallFileError && e.problem === problem && (what === undefined || e.what === what);

describe('config files are regular files of at most 1 MiB (issue 23)', () => {
  let dir = '';
  let certs: Certs;

  before(async () => {
    dir = await makeTmpDir('webfiles');
    certs = await makeCerts(dir);
    fillHour(path.join(dir, 'store'), 'chan', 'source', '2026-11-01T07', 0, 40);
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('the reader: a FIFO without a writer is refused at once, /dev/zero through a link too, a file over the cap too', async () => {
    const fifo = path.join(dir, 'lonely.fifo');
    mkfifo(fifo);
    assert.throws(() => readSmallFileSync(fifo), refused('not_regular', 'FIFO'));
    const zero = path.join(dir, 'zero.crt');
    await symlink('/dev/zero', zero);
    assert.throws(() => readSmallFileSync(zero), refused('not_regular', 'character device'));
    assert.throws(() => readSmallFileSync(dir), refused('not_regular', 'folder'));
    assert.throws(() => readSmallFileSync(path.join(dir, 'none')), refused('unreadable', 'ENOENT'));
    const big = path.join(dir, 'big.pem');
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x41));
    assert.throws(
      () => readSmallFileSync(big),
      (e: unknown) => refused('too_large')(e) && /is larger than 1 MiB/.test((e as Error).message),
    );
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_BYTES, 0x41));
    assert.equal(readSmallFileSync(big).length, MAX_CONFIG_BYTES, 'exactly the cap is read');
  });

  it('the reader with pipes (--config at start-up): a FIFO is read to its end, still capped', async () => {
    const fifo = path.join(dir, 'fed.fifo');
    mkfifo(fifo);
    const writer = spawn('sh', ['-c', `printf 'log-level: debug\\n' > '${fifo}'`]);
    assert.equal(readSmallFileSync(fifo, { pipes: true }).toString(), 'log-level: debug\n');
    await new Promise((r) => writer.on('close', r));
    const flood = spawn('sh', ['-c', `head -c 5000 /dev/zero > '${fifo}'`]);
    assert.throws(() => readSmallFileSync(fifo, { pipes: true, maxBytes: 4096 }), refused('too_large'));
    flood.kill();
  });

  it('start-up: a FIFO or a link to /dev/zero as the web config, certificate, key or --config exits 2 with one line naming it', async () => {
    const web = (name: string, doc: Record<string, string>): string => {
      const file = path.join(dir, name);
      writeFileSync(
        file,
        `tls_server_config:\n${Object.entries(doc)
          .map(([k, v]) => `  ${k}: ${v}\n`)
          .join('')}`,
      );
      return file;
    };
    const fifo = path.join(dir, 'start.fifo');
    mkfifo(fifo);
    const zero = path.join(dir, 'start-zero.key');
    await symlink('/dev/zero', zero);
    const cases: [string[], RegExp][] = [
      [['--web.config.file', fifo], /^segcov: --web\.config\.file: .*start\.fifo is a FIFO, not a regular file\n$/],
      [
        ['--web.config.file', web('cert-fifo.yml', { cert_file: fifo, key_file: certs.serverKey })],
        /^segcov: --web\.config\.file: tls_server_config\.cert_file: .*start\.fifo is a FIFO, not a regular file\n$/,
      ],
      [
        ['--web.config.file', web('key-zero.yml', { cert_file: certs.serverCert, key_file: zero })],
        /^segcov: --web\.config\.file: tls_server_config\.key_file: .*start-zero\.key is a character device, not a regular file\n$/,
      ],
      [
        [
          '--web.config.file',
          web('ca-zero.yml', {
            cert_file: certs.serverCert,
            key_file: certs.serverKey,
            client_auth_type: 'RequireAndVerifyClientCert',
            client_ca_file: zero,
          }),
        ],
        /tls_server_config\.client_ca_file: .*start-zero\.key is a character device/,
      ],
      [['--config', zero], /^segcov: --config: .*start-zero\.key is a character device, not a regular file\n$/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(
        [
          'chan',
          '--base-dir',
          path.join(dir, 'store'),
          '--output-dir',
          path.join(dir, 'maps'),
          '--metrics-host',
          '127.0.0.1',
          '--metrics-port',
          String(await freePort()),
          ...args,
        ],
        { timeoutMs: 60_000 },
      );
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('reload: a certificate swapped for a FIFO, then for a link to /dev/zero, and the file itself for a FIFO: each logged and counted, the old settings kept, SIGTERM still quick', async () => {
    const cert = path.join(dir, 'live.crt');
    writeFileSync(cert, readFileSync(certs.serverCert));
    const webFile = path.join(dir, 'live.yml');
    await writeWebConfig(webFile, { tls_server_config: { cert_file: cert, key_file: certs.serverKey } });
    const d = await startTlsDaemon(
      ['chan', '--base-dir', path.join(dir, 'store'), '--output-dir', path.join(dir, 'maps'), '--no-watch', '--log-level', 'info'],
      webFile,
      certs.ca,
    );
    const failures = async (): Promise<number> =>
      parseProm(await httpsText(`${d.url}/metrics`, certs.ca)).get('segcov_errors_total{kind="web_config"}') ?? 0;
    try {
      const swaps: [string, () => Promise<void>, RegExp][] = [
        [
          'certificate → FIFO',
          async () => {
            await rm(cert);
            mkfifo(cert);
          },
          /live\.crt is a FIFO, not a regular file/,
        ],
        [
          'certificate → /dev/zero',
          async () => {
            await rm(cert);
            await symlink('/dev/zero', cert);
          },
          /live\.crt is a character device, not a regular file/,
        ],
        [
          'web config → FIFO',
          async () => {
            mkfifo(`${webFile}.new`);
            await rename(`${webFile}.new`, webFile);
          },
          /live\.yml is a FIFO, not a regular file/,
        ],
      ];
      for (const [what, swap, message] of swaps) {
        const before = await failures();
        await swap();
        d.proc.kill('SIGHUP'); // besides the file watcher: either way the file is read again
        await waitFor(`${what}: logged and counted`, async () =>
          message.test(d.stderr()) && (await failures()) > before ? true : undefined,
        ).catch((e: Error) => {
          throw new Error(`${e.message}\n${d.stderr()}`);
        });
        assert.equal(await httpsStatus(`${d.url}/healthz`, certs.ca), 200, `${what}: still served with the old certificate`);
      }
      const errors = d
        .stderr()
        .split('\n')
        .filter((l) => l.includes('cannot apply the web config'));
      assert.ok(
        errors.every((l) => l.includes('"level":"error"')),
        'logged at error',
      );
      assert.ok((await failures()) >= swaps.length);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d.proc.pid as number}/status`, 'utf8'))?.[1]);
      assert.ok(rss < 300 * 1024, `RSS ${rss} KiB: /dev/zero was not read`);
    } finally {
      const exited = new Promise<number | null>((r) => d.proc.on('exit', (code) => r(code)));
      d.proc.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('hung'), 30_000))]);
      if (code === 'hung') d.proc.kill('SIGKILL');
      assert.equal(code, 0, `SIGTERM ends the daemon cleanly\n${d.stderr()}`);
    }
  });
});
