import { spawn } from 'node:child_process';

/** What a finished tool run left behind. */
export interface ToolResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The tool binary could not be started at all (not installed, not executable). Kept
 * apart from a failed run because retrying cannot help and the message must say so.
 */
export class ToolMissingError extends Error {
  constructor(
    readonly bin: string,
    code: string,
  ) {
    super(`cannot run ${bin} (${code}): is ffmpeg installed? (Debian: apt-get install ffmpeg)`);
    this.name = 'ToolMissingError';
  }
}

/** A tool ran but failed; the message carries the last meaningful stderr line. */
export class ToolFailedError extends Error {
  constructor(
    readonly bin: string,
    readonly result: ToolResult,
  ) {
    super(`${bin} failed (${result.signal ?? `exit ${result.code}`}): ${lastLine(result.stderr) || 'no message'}`);
    this.name = 'ToolFailedError';
  }
}

const MAX_CAPTURE = 8 * 1024 * 1024; // ffprobe packet lists of long sources are a few MB

/** Runs `bin args…` without a shell, capturing stdout and stderr. Never rejects for a non-zero exit. */
export function runTool(bin: string, args: readonly string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout.on('data', (b: Buffer) => {
      if (outLen < MAX_CAPTURE * 8) {
        out.push(b);
        outLen += b.length;
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errLen < MAX_CAPTURE) {
        err.push(b);
        errLen += b.length;
      }
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'EACCES') reject(new ToolMissingError(bin, e.code));
      else reject(e);
    });
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Runs a tool and throws ToolFailedError unless it exits 0. */
export async function runToolOk(bin: string, args: readonly string[]): Promise<ToolResult> {
  const r = await runTool(bin, args);
  if (r.code !== 0) throw new ToolFailedError(bin, r);
  return r;
}

export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return lines[lines.length - 1] ?? '';
}
