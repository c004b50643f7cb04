import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spawn, execFileSync } from 'node:child_process';
import { BIN, REPO, cleanEnv, freePort, parseProm, startDaemon, waitFor } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** The TCP ports process `pid` listens on, from /proc (IPv4 and IPv6). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m !== null) inodes.add(m[1]);
    } catch {
      /* fd closed meanwhile */
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue; // 0A: LISTEN
      if (inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

async function scrape(url: string): Promise<Map<string, number>> {
  return parseProm(await (await fetch(`${url}/metrics`)).text());
}

/** True once process `pid` catches SIGHUP (bit 0 of SigCgt in /proc/PID/status). */
function catchesHangup(pid: number): boolean {
  const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m !== null && (BigInt(`0x${m[1]}`) & 1n) === 1n;
}

/**
 * Starts `args` with --config on a FIFO: start-up blocks reading it (yargs reads the config
 * synchronously) until `feed` writes it, which gives a start-up window no timing decides.
 */
/** What start-up has reached once the FIFO holds it: bin's SIGHUP hold is in place (daemon), or just the blocked read (subcommands let it go). */
type BlockedAt = 'holding' | 'reading';

async function startBlockedOnConfig(root: string, name: string, args: readonly string[], at: BlockedAt) {
  const fifo = path.join(root, name);
  execFileSync('mkfifo', [fifo]);
  const proc = spawn(process.execPath, [BIN, ...args, '--config', fifo], { env: cleanEnv(), cwd: REPO });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  proc.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = proc.pid as number;
  try {
    if (at === 'holding') await waitFor('bin/segcov.js to hold SIGHUP', async () => (catchesHangup(pid) ? true : undefined));
    else
      await waitFor('start-up to block on its config', async () =>
        readFileSync(`/proc/${pid}/wchan`, 'utf8') === 'wait_for_partner' ? true : undefined,
      );
  } catch (e) {
    proc.kill('SIGKILL'); // blocked on the FIFO: nothing else would end it
    throw e;
  }
  return { proc, exited, stderr: () => err, feed: (text: string) => writeFile(fifo, text) };
}

describe('signals (issue 9.6)', () => {
  it('a SIGHUP during start-up does not end the daemon: it is held, then read as a reload; a subcommand still ends on it', async () => {
    const root = await makeTmpDir('sighup-start');
    const base = path.join(root, 'store');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    const port = await freePort();
    const d = await startBlockedOnConfig(
      root,
      'daemon.yaml',
      ['--metrics-host', '127.0.0.1', '--metrics-port', String(port), '--no-watch', '--check-interval', '600'],
      'holding',
    );
    try {
      d.proc.kill('SIGHUP'); // start-up is blocked on the config: no daemon handler exists yet
      await d.feed(`base-dir: ${JSON.stringify(base)}\nchannels: [chan]\nlog-level: info\n`);
      await waitFor('the daemon to be ready', async () => {
        if (d.proc.exitCode !== null || d.proc.signalCode !== null)
          throw new Error(`daemon ended (${d.proc.exitCode ?? d.proc.signalCode}):\n${d.stderr()}`);
        const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        return r?.status === 200 ? true : undefined;
      });
      await waitFor('the held SIGHUP to be taken as a reload', async () =>
        /SIGHUP during start-up: reloading/.test(d.stderr()) ? true : undefined,
      );
      // the reload does not open the FIFO again (nobody writes it: that would block the daemon for good)
      await waitFor('the reload to be refused', async () =>
        /is a FIFO, not a regular file; a pipe is read once/.test(d.stderr()) ? true : undefined,
      );
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      assert.match(
        await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
        /channel="chan"/,
        'the config fed after the signal is the one running',
      );
      assert.equal(d.proc.exitCode, null, 'still running');
    } finally {
      d.proc.kill('SIGTERM');
      const end = await d.exited;
      assert.equal(end.code, 0, d.stderr());
    }

    // a subcommand lets go of SIGHUP once the CLI knows the command: a hangup then ends `check`
    const c = await startBlockedOnConfig(root, 'check.yaml', ['check', 'chan', '--base-dir', base], 'reading');
    c.proc.kill('SIGHUP'); // nothing is fed: only the signal can end it
    const end = await waitFor('check to end on the hangup', async () =>
      c.proc.exitCode !== null || c.proc.signalCode !== null ? c.exited : undefined,
    ).catch((e: Error) => {
      const status = readFileSync(`/proc/${c.proc.pid as number}/status`, 'utf8')
        .split('\n')
        .filter((l) => /^(State|Sig)/.test(l))
        .join(' ');
      c.proc.kill('SIGKILL');
      throw new Error(`${e.message} (${status}; wchan ${readFileSync(`/proc/${c.proc.pid as number}/wchan`, 'utf8')})\n${c.stderr()}`);
    });
    assert.equal(end.signal, 'SIGHUP', c.stderr());
    await rm(root, { recursive: true, force: true });
  });

  it('SIGHUP re-reads --config and applies peers live, keeps running, and survives a broken config', async () => {
    const root = await makeTmpDir('sighup');
    const base = path.join(root, 'store');
    const cfg = path.join(root, 'segcov.yaml');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    await writeFile(cfg, `base-dir: ${JSON.stringify(base)}\nchannels: [chan]\nlog-level: info\nrows: 300\n`);
    const d = await startDaemon(['--config', cfg, '--no-watch', '--check-interval', '600']);
    try {
      assert.doesNotMatch(await (await fetch(`${d.url}/`)).text(), /nodeb\.example/);
      await writeFile(
        cfg,
        `base-dir: ${JSON.stringify(base)}\nchannels: [chan]\nlog-level: debug\nrows: 150\npeers:\n  nodeb: http://nodeb.example:8006\n`,
      );
      d.proc.kill('SIGHUP');
      await waitFor('the new peer on the page', async () =>
        /nodeb\.example/.test(await (await fetch(`${d.url}/`)).text()) ? true : undefined,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${d.stderr()}`);
      });
      await waitFor('the reload to be logged', async () => (/Completed loading of configuration file/.test(d.stderr()) ? true : undefined));
      assert.match(d.stderr(), /"msg":"Loading configuration file"/);
      assert.match(d.stderr(), /applied only on restart: rows/, 'what cannot change live is said');
      assert.match(d.stderr(), /"applied":\{"logLevel":"debug","peers":\{"nodeb":"http:\/\/nodeb.example:8006"\}\}/);
      assert.equal((await scrape(d.url)).get('segcov_config_last_reload_successful'), 1);

      // a broken file: logged, counted, the running config stays, the daemon too
      await writeFile(cfg, 'base-dir: [unclosed\n');
      d.proc.kill('SIGHUP');
      await waitFor('the failed reload to show', async () =>
        (await scrape(d.url)).get('segcov_config_last_reload_successful') === 0 ? true : undefined,
      );
      assert.match(d.stderr(), /Error reloading config; keeping the running one/);
      assert.match(await (await fetch(`${d.url}/`)).text(), /nodeb\.example/);
      // three more in a row
      for (let i = 0; i < 3; i++) d.proc.kill('SIGHUP');
      await writeFile(cfg, `base-dir: ${JSON.stringify(base)}\nchannels: [chan]\nlog-level: info\nrows: 300\n`);
      d.proc.kill('SIGHUP');
      await waitFor('the good config again', async () =>
        (await scrape(d.url)).get('segcov_config_last_reload_successful') === 1 ? true : undefined,
      );
      assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
      assert.equal(d.proc.exitCode, null, 'still running');
    } finally {
      const { code } = await d.stop();
      assert.equal(code, 0, d.stderr());
      await rm(root, { recursive: true, force: true });
    }
  });

  it('SIGUSR1 opens no inspector: the daemon listens on its metrics port only', async () => {
    const root = await makeTmpDir('sigusr1');
    const base = path.join(root, 'store');
    fillHour(base, 'chan', 'source', '2026-11-01T00', 0, 20);
    const d = await startDaemon(['chan', '--base-dir', base, '--no-watch', '--check-interval', '600']);
    try {
      const pid = d.proc.pid as number;
      assert.deepEqual(listeningPorts(pid), [d.port]);
      d.proc.kill('SIGUSR1');
      await waitFor('SIGUSR1 to be logged', async () => (/SIGUSR1 ignored/.test(d.stderr()) ? true : undefined));
      assert.deepEqual(listeningPorts(pid), [d.port], 'no inspector port (9229) opened');
      assert.doesNotMatch(d.stderr(), /Debugger listening|Starting inspector/);
      assert.equal((await fetch(`${d.url}/healthz`)).status, 200);
    } finally {
      const { code } = await d.stop();
      assert.equal(code, 0, d.stderr());
      await rm(root, { recursive: true, force: true });
    }
  });
});
