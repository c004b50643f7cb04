import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../../src/outputs/files/atomicWrite.js';
import { writeManifest } from '../../src/import/manifest.js';
import { BIN, WAIT_MS, cleanEnv, runCli } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

const asRoot = process.getuid?.() === 0;

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  assert.equal(r.status, 0, String(r.stderr));
}

/** A character device's identity, to compare before and after. */
function charDevice(file: string): string {
  const st = statSync(file);
  assert.ok(st.isCharacterDevice(), `${file} is still a character device`);
  return `${st.ino}:${st.rdev}`;
}

async function withStore<T>(fn: (root: string, base: string) => Promise<T>): Promise<T> {
  const root = await makeTmpDir('targets');
  try {
    const base = path.join(root, 'store');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 40, new Set([10]));
    return await fn(root, base);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

describe('atomic writes never replace what is not a regular file (issue 15)', () => {
  it('--textfile at a character device writes into it and leaves it a device: /dev/null and a mknod-made one', async () => {
    await withStore(async (root, base) => {
      const devices: string[] = [];
      if (asRoot) {
        // CI runs as root: a private copy of /dev/null first, so a regression fails here
        // before it can replace the machine's own /dev/null
        const own = path.join(root, 'null');
        const r = spawnSync('mknod', [own, 'c', '1', '3']);
        assert.equal(r.status, 0, String(r.stderr));
        devices.push(own);
      }
      devices.push('/dev/null');
      for (const dev of devices) {
        const before = charDevice(dev);
        const r = await runCli(['chan', '--base-dir', base, '--run-once', '--metrics-port', '0', '--textfile', dev]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(charDevice(dev), before, `${dev}: same device node, not replaced`);
        assert.doesNotMatch(r.stderr, /cannot write textfile/);
      }
      const left = readdirSync(root).filter((n) => n.endsWith('.tmp'));
      assert.deepEqual(left, [], 'no temporary file left beside the device');
    });
  });

  it('--textfile /dev/stdout prints the gauges when stdout is a pipe, and is refused at start-up when it is a socket', async () => {
    await withStore(async (_root, base) => {
      const args = ['chan', '--base-dir', base, '--run-once', '--metrics-port', '0', '--textfile', '/dev/stdout'];
      // node's own child stdio is a socketpair: opening /dev/stdout cannot work there
      const sock = await runCli(args);
      assert.equal(sock.code, 2);
      assert.match(sock.stderr, /^segcov: --textfile: \/dev\/stdout is a socket/);
      // a shell pipe is a FIFO: written in place
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
        execFile('sh', ['-c', `${quoted} | cat`], { env: cleanEnv(), timeout: 3 * WAIT_MS }, (err, stdout, stderr) => {
          if (err !== null && typeof err.code !== 'number') reject(err);
          else resolve({ code: err === null ? 0 : Number(err.code), stdout, stderr });
        });
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^raw_coverage\{channel="chan",hour="2026-11-01T00",quality="source"\} 38$/m);
    });
  });

  it('--textfile at a FIFO with a reader writes into it; the FIFO stays a FIFO', async () => {
    await withStore(async (root, base) => {
      const fifo = path.join(root, 'gauges.fifo');
      mkfifo(fifo);
      const reader = spawn('cat', [fifo]);
      let got = '';
      reader.stdout.on('data', (d: Buffer) => {
        got += d.toString();
      });
      const readerDone = new Promise((r) => reader.on('close', r));
      try {
        // the reader may not have opened its end yet: run-once fails (ENXIO, exit 1) until it has
        let r = await runCli(['chan', '--base-dir', base, '--run-once', '--metrics-port', '0', '--textfile', fifo]);
        const deadline = Date.now() + WAIT_MS;
        while (r.code !== 0 && Date.now() < deadline) {
          assert.match(r.stderr, /ENXIO/);
          r = await runCli(['chan', '--base-dir', base, '--run-once', '--metrics-port', '0', '--textfile', fifo]);
        }
        assert.equal(r.code, 0, r.stderr);
        await readerDone;
        assert.match(got, /^raw_holes\{channel="chan",hour="2026-11-01T00",quality="source"\} 1$/m);
        assert.ok(lstatSync(fifo).isFIFO());
      } finally {
        reader.kill();
      }
    });
  });

  it('--textfile at a folder or socket, and --output-dir at a file or under /proc, stop start-up with exit 2 naming the flag', async () => {
    await withStore(async (root, base) => {
      const folder = path.join(root, 'a-folder');
      mkdirSync(folder);
      const sock = path.join(root, 'sock');
      const server = net.createServer().listen(sock);
      await new Promise((r) => server.once('listening', r));
      const file = path.join(root, 'a-file');
      writeFileSync(file, 'x');
      try {
        const cases: [string[], RegExp][] = [
          [['--textfile', folder], /^segcov: --textfile: .*a-folder is a folder/],
          [['--textfile', sock], /^segcov: --textfile: .*sock is a socket/],
          [['--output-dir', file], /^segcov: --output-dir: .*a-file is a file, not a folder/],
          [['--output-dir', '/proc/segcov-test-out'], /^segcov: --output-dir: \/proc\/segcov-test-out is on procfs/],
          [['--textfile', '/proc/segcov-test.prom'], /^segcov: --textfile: \/proc is on procfs/],
        ];
        for (const [flags, want] of cases) {
          for (const mode of [['--run-once'], ['--check-interval', '1']]) {
            const r = await runCli(['chan', '--base-dir', base, '--metrics-port', '0', ...mode, ...flags]);
            assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
            assert.match(r.stderr, want);
            assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
          }
        }
        assert.ok(statSync(folder).isDirectory());
        assert.ok(lstatSync(sock).isSocket());
      } finally {
        server.close();
      }
    });
  });

  it('writeFileAtomic refuses devices, FIFOs, folders and symlinks to them; writes in place only when asked', async () => {
    const root = await makeTmpDir('atomic');
    try {
      const fifo = path.join(root, 'fifo');
      mkfifo(fifo);
      const link = path.join(root, 'link-to-null');
      spawnSync('ln', ['-s', '/dev/null', link]);
      const dir = path.join(root, 'dir');
      mkdirSync(dir);
      for (const target of [fifo, link, dir, '/dev/null']) {
        await assert.rejects(writeFileAtomic(target, 'x'), /not a regular file/, target);
      }
      // a FIFO without a reader: in place fails at once (non-blocking open), never hangs
      await assert.rejects(writeFileAtomic(fifo, 'x', { inPlace: true }), /ENXIO/);
      await assert.rejects(writeManifest(dir, {} as never), /is a folder/);
      await writeFileAtomic(link, 'into the device\n', { inPlace: true });
      assert.ok(lstatSync(fifo).isFIFO());
      assert.ok(lstatSync(link).isSymbolicLink());
      assert.ok(statSync('/dev/null').isCharacterDevice());
      // a symlink to a regular file: a user-given path (--textfile) is followed, the file
      // replaced and the link kept; a map's name is not: the link is replaced, the file elsewhere untouched
      const real = path.join(root, 'real.txt');
      writeFileSync(real, 'old');
      const toReal = path.join(root, 'to-real');
      spawnSync('ln', ['-s', real, toReal]);
      await writeFileAtomic(toReal, 'new', { followSymlinks: true });
      assert.ok(lstatSync(toReal).isSymbolicLink());
      assert.equal(readFileSync(real, 'utf8'), 'new');
      await writeFileAtomic(toReal, 'map');
      assert.ok(lstatSync(toReal).isFile(), 'the link itself replaced');
      assert.equal(readFileSync(toReal, 'utf8'), 'map');
      assert.equal(readFileSync(real, 'utf8'), 'new', 'the file it pointed to untouched');
      assert.deepEqual(
        readdirSync(root).filter((n) => n.endsWith('.tmp')),
        [],
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
