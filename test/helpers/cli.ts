import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (this file is dist/test/helpers/cli.js once built). */
export const REPO = path.resolve(here, '../../..');
export const BIN = path.join(REPO, 'bin', 'segcov.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI (or another copy's `bin`) to completion (bounded by `timeoutMs`),
 * through `command` when given (e.g. setpriv).
 */
export function runCli(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; bin?: string; command?: readonly string[] } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const argv = [...(opts.command ?? []), process.execPath, opts.bin ?? BIN, ...args];
    const child = spawn(argv[0], argv.slice(1), { env: opts.env ?? cleanEnv(), cwd: opts.cwd ?? REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`segcov ${args.join(' ')} timed out\n${stderr}`));
    }, opts.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The environment without any SEGCOV_* variable of the caller. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SEGCOV_')) env[k] = v;
  return { ...env, ...extra };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningDaemon {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly url: string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code and the ms it took to exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/** Starts the daemon on a free loopback port; resolves once /readyz answers 200. */
export async function startDaemon(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; command?: string[]; readyTimeoutMs?: number } = {},
): Promise<RunningDaemon> {
  const port = await freePort();
  const full = [BIN, ...args, '--metrics-host', '127.0.0.1', '--metrics-port', String(port)];
  const cmd = opts.command ?? [];
  const proc =
    cmd.length > 0
      ? spawn(cmd[0], [...cmd.slice(1), process.execPath, ...full], { env: opts.env ?? cleanEnv(), cwd: REPO })
      : spawn(process.execPath, full, { env: opts.env ?? cleanEnv(), cwd: REPO });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  proc.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`daemon exited with ${proc.exitCode}:\n${err}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`daemon not ready in time:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    port,
    url,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      const t0 = Date.now();
      if (proc.exitCode === null) proc.kill(signal);
      const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(kill);
      return { code, ms: Date.now() - t0 };
    },
  };
}

/** Parses Prometheus text format into `name{labels}` → value (labels as written). */
export function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/**
 * How long a test waits for a condition before failing. Generous on purpose: a loaded
 * 2-core machine may take seconds for what takes milliseconds when idle, and a wait ends
 * as soon as its condition holds, so a long deadline costs nothing on a quick machine.
 */
export const WAIT_MS = 60_000;

/** Waits until `check` returns a value that is not undefined, polling (never sleep-then-assert). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = WAIT_MS, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
