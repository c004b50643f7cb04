/**
 * Issue 27: the daemon speaks systemd's notify protocol. The service manager's side is a real
 * unix datagram socket, bound by python3 (Node has none), that prints every message it reads;
 * the daemon and systemd-notify are the real ones.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { notifySettings, systemdNotifier } from '../../src/daemon/systemdNotify.js';
import { silentLogger } from '../../src/log.js';
import { BIN, REPO, cleanEnv, freePort, waitFor } from '../helpers/cli.js';
import { fillHour } from '../helpers/simpleStore.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { requireBinary } from '../ops/opsHelpers.js';

/** Binds NOTIFY_SOCKET's address (`@name`: abstract) and prints each datagram as a JSON string. */
const READER = `
import json, socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + a[1:] if a.startswith('@') else a)
print(json.dumps('bound'), flush=True)
while True:
    print(json.dumps(s.recv(4096).decode()), flush=True)  # recv drops BARRIER=1's fd: the barrier ends
`;

interface Message {
  readonly text: string;
  readonly at: number;
}

/** The service manager's socket: the messages read so far, in order, with when the test saw them. */
async function notifySocket(address: string): Promise<{ proc: ChildProcess; messages: Message[] }> {
  const proc = spawn(requireBinary('python3', 'python3'), ['-c', READER, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: Message[] = [];
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`the socket reader exited (${code})`)));
    lines.on('line', (l) => {
      const text = JSON.parse(l) as string;
      if (text === 'bound') resolve();
      else if (text !== 'BARRIER=1') messages.push({ text, at: performance.now() });
    });
  });
  return { proc, messages };
}

const tmps: string[] = [];
const procs: ChildProcess[] = [];
after(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const d of tmps) await rm(d, { recursive: true, force: true });
});

/** Starts the daemon on a store of `hours` hours with the notify variables given. */
async function daemonWith(env: Record<string, string>, hours = 1): Promise<{ proc: ChildProcess; url: string; stderr: () => string }> {
  const dir = await makeTmpDir('sd-notify');
  tmps.push(dir);
  const base = path.join(dir, 'store');
  for (let h = 0; h < hours; h++)
    fillHour(
      base,
      'chan',
      'source',
      `2026-11-${String(1 + Math.floor(h / 24)).padStart(2, '0')}T${String(h % 24).padStart(2, '0')}`,
      0,
      20,
    );
  const port = await freePort();
  const full = cleanEnv(env);
  delete full.WATCHDOG_PID; // the test runner itself might run under systemd
  const proc = spawn(
    process.execPath,
    [
      BIN,
      'chan',
      '--base-dir',
      base,
      '--output-dir',
      path.join(dir, 'out'),
      '--metrics-host',
      '127.0.0.1',
      '--metrics-port',
      String(port),
      '--no-watch',
      '--check-interval',
      '600',
      '--log-level',
      'info',
    ],
    { env: { ...full, ...env }, cwd: REPO },
  );
  procs.push(proc);
  let err = '';
  proc.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  proc.stdout?.resume();
  return { proc, url: `http://127.0.0.1:${port}`, stderr: () => err };
}

describe('systemd notify protocol', () => {
  it('reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as sd_watchdog_enabled does; without NOTIFY_SOCKET nothing runs', () => {
    assert.equal(notifySettings({}, 7), null);
    assert.equal(notifySettings({ NOTIFY_SOCKET: '', WATCHDOG_USEC: '2000000' }, 7), null);
    assert.deepEqual(notifySettings({ NOTIFY_SOCKET: '/run/x' }, 7), { socket: '/run/x', watchdogEveryMs: null });
    assert.deepEqual(notifySettings({ NOTIFY_SOCKET: '@abs', WATCHDOG_USEC: '30000000' }, 7), { socket: '@abs', watchdogEveryMs: 15_000 });
    assert.deepEqual(notifySettings({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '2000000', WATCHDOG_PID: '7' }, 7), {
      socket: '/run/x',
      watchdogEveryMs: 1000,
    });
    assert.equal(
      notifySettings({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '2000000', WATCHDOG_PID: '8' }, 7)?.watchdogEveryMs,
      null,
      'the watchdog of another process',
    );
    assert.equal(notifySettings({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '2s' }, 7)?.watchdogEveryMs, null);
    assert.equal(notifySettings({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '0' }, 7)?.watchdogEveryMs, null);
    const env: NodeJS.ProcessEnv = { WATCHDOG_USEC: '1000', PATH: '/bin' };
    assert.equal(systemdNotifier(silentLogger, env, 7), null);
    assert.deepEqual(env, { PATH: '/bin' }, 'the variables are not left to child processes');
  });

  it('READY=1 once /readyz is 200, WATCHDOG=1 every WATCHDOG_USEC/2, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM', async () => {
    const dir = await makeTmpDir('sd-socket');
    tmps.push(dir);
    const sock = await notifySocket(path.join(dir, 'notify'));
    procs.push(sock.proc);
    const { messages } = sock;
    const d = await daemonWith({ NOTIFY_SOCKET: path.join(dir, 'notify'), WATCHDOG_USEC: '2000000' }, 200);
    const seen = (text: string): Message[] => messages.filter((m) => m.text === text);
    const fail = (e: Error): never => {
      throw new Error(`${e.message}\nmessages: ${JSON.stringify(messages.map((m) => m.text))}\n${d.stderr()}`);
    };

    // /readyz polled from the start: no answer of 503 to a request sent after READY=1 arrived
    const polls: { sentAt: number; status: number }[] = [];
    const ready = await waitFor(
      'READY=1, and /readyz 200',
      async () => {
        assert.equal(d.proc.exitCode, null, d.stderr());
        const sentAt = performance.now();
        const status = (await fetch(`${d.url}/readyz`).catch(() => null))?.status ?? 0;
        polls.push({ sentAt, status });
        const r = seen('READY=1')[0];
        return r !== undefined && status === 200 ? r : undefined;
      },
      60_000,
      20,
    ).catch(fail);
    const late = polls.filter((p) => p.status === 503 && p.sentAt > ready.at);
    assert.deepEqual(late, [], 'READY=1 came before /readyz answered 200');
    assert.equal(seen('READY=1').length, 1);

    const pings = await waitFor(
      'four watchdog pings',
      async () => (seen('WATCHDOG=1').length >= 4 ? seen('WATCHDOG=1') : undefined),
      30_000,
      50,
    ).catch(fail);
    const gap = (pings[pings.length - 1].at - pings[0].at) / (pings.length - 1);
    assert.ok(gap > 250, `pings every ${gap.toFixed(0)} ms on average: WATCHDOG_USEC/2 is 1000 ms`);

    const before = messages.length;
    const monotonicUs = process.hrtime.bigint() / 1000n; // the clock systemd compares MONOTONIC_USEC with
    d.proc.kill('SIGHUP');
    const reload = await waitFor(
      'RELOADING=1, then READY=1',
      async () => {
        const after = messages
          .slice(before)
          .map((m) => m.text)
          .filter((t) => t !== 'WATCHDOG=1');
        return after.length >= 2 ? after : undefined;
      },
      30_000,
      50,
    ).catch(fail);
    const m = /^RELOADING=1\nMONOTONIC_USEC=(\d+)$/.exec(reload[0]);
    assert.ok(m !== null, `first after SIGHUP: ${JSON.stringify(reload[0])}`);
    const lagUs = BigInt(m[1]) - monotonicUs;
    assert.ok(lagUs >= 0n && lagUs < 60_000_000n, `MONOTONIC_USEC is CLOCK_MONOTONIC: ${lagUs} µs after the test's reading`);
    assert.equal(reload[1], 'READY=1');

    const exited = new Promise<number | null>((r) => d.proc.once('exit', r));
    d.proc.kill('SIGTERM');
    assert.equal(await exited, 0, d.stderr());
    assert.equal(messages.at(-1)?.text, 'STOPPING=1', JSON.stringify(messages.slice(-3)));
    assert.ok(
      messages.every((x) => !x.text.startsWith('EXTEND_TIMEOUT_USEC')),
      'the first pass took less than 20 s: no extension',
    );
  });

  it('an abstract NOTIFY_SOCKET (@name) works too; without WATCHDOG_USEC there are no pings', async () => {
    const address = `@segcov-test-${process.pid}-${Date.now()}`;
    const sock = await notifySocket(address);
    procs.push(sock.proc);
    const d = await daemonWith({ NOTIFY_SOCKET: address });
    await waitFor(
      'READY=1 on the abstract socket',
      async () => (sock.messages.some((m) => m.text === 'READY=1') ? true : undefined),
      60_000,
      50,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${d.stderr()}`);
    });
    const exited = new Promise<number | null>((r) => d.proc.once('exit', r));
    d.proc.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(
      sock.messages.map((m) => m.text),
      ['READY=1', 'STOPPING=1'],
    );
  });
});
