/**
 * `node dist/bench/notifyCost.js [PINGS]` (default 100): the CPU one WATCHDOG=1 costs, sent as
 * the daemon sends it (SystemdNotifier: a systemd-notify process per message), to a datagram
 * socket that python3 reads in systemd's stead. segcov's side (the spawn) and the child's
 * (systemd-notify, from /proc/self/stat's cutime and cstime) apart; with a small heap, then
 * with ~100 MB more held (a fork copies the page tables of the whole process).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SystemdNotifier } from '../src/daemon/systemdNotify.js';
import { silentLogger } from '../src/log.js';

const PINGS = Number(process.argv[2] ?? 100);
/** Clock ticks a second (getconf CLK_TCK; 100 on Linux). */
const TICK_MS = 10;

/** CPU of the waited-for children so far, ms. */
function childrenMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS; // fields 16 and 17: cutime, cstime
}

async function measure(n: SystemdNotifier, label: string): Promise<void> {
  const own = process.cpuUsage();
  const kids = childrenMs();
  const t0 = performance.now();
  for (let i = 0; i < PINGS; i++) {
    n.ping();
    await n.flush(10_000);
  }
  const c = process.cpuUsage(own);
  const ownMs = (c.user + c.system) / 1000 / PINGS;
  const kidMs = (childrenMs() - kids) / PINGS;
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(
    `${label.padEnd(22)} RSS ${rss} MiB: segcov ${ownMs.toFixed(2)} ms + systemd-notify ${kidMs.toFixed(2)} ms CPU a ping, ${((performance.now() - t0) / PINGS).toFixed(1)} ms wall`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'notify-cost-'));
  const socket = path.join(dir, 'notify');
  const reader = spawn(
    'python3',
    [
      '-c',
      'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("bound",flush=True)\nwhile True: s.recv(4096)',
      socket,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((r) => reader.stdout.once('data', r));
  try {
    const n = new SystemdNotifier({ socket, watchdogEveryMs: null }, silentLogger);
    console.log(`# WATCHDOG=1 by systemd-notify, ${PINGS} pings one after the other, node ${process.version}`);
    await measure(n, 'small heap');
    const held = Array.from({ length: 100 }, () => Buffer.alloc(2 ** 20, 1));
    await measure(n, '~100 MB more held');
    if (held.length === 0) console.log('');
    n.stopping();
    await n.flush();
  } finally {
    reader.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
