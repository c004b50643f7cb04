import net from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Wall time, CPU (user + system) and peak RSS of one command run to completion (via GNU time). */
export async function timeCommand(
  cmd: string,
  args: readonly string[],
): Promise<{ wallMs: number; cpuMs: number | null; peakRssKiB: number | null; code: number | null }> {
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const child = useTime
    ? spawn('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const wallMs = performance.now() - t0;
  const last = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(err.trim().split('\n').pop() ?? '');
  return {
    wallMs,
    code,
    peakRssKiB: useTime && last !== null ? Number(last[1]) : null,
    cpuMs: useTime && last !== null ? (Number(last[2]) + Number(last[3])) * 1000 : null,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * CPU seconds of a running process to the nanosecond: the sum of its threads' time on the CPU
 * (/proc/PID/task/TID/schedstat), with the threads it was read from. /proc/PID/stat counts
 * in 10 ms ticks, a tenth of a window of 200 new segments; this does not, but it misses
 * the CPU of a thread that ended before the read: compare `tids` of two reads.
 */
export function threadCpu(pid: number): { seconds: number; tids: Set<string> } {
  let ns = 0;
  const tids = new Set<string>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      tids.add(tid);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return { seconds: ns / 1e9, tids };
}

/** Peak resident set of a running process (VmHWM), KiB. */
export function peakRssKiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 right now (the daemon is started on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The 1, 5 and 15 minute load averages as /proc/loadavg gives them ("0.12 0.34 0.56"). */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
