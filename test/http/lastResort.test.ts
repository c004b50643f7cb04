/**
 * The last-resort handler: an error nothing caught is logged as exactly one JSON line
 * (pino, level fatal, with the stack) and the process exits non-zero.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const mod = (p: string): string => JSON.stringify(pathToFileURL(path.join(src, p)).href);

function runScript(body: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const script = `
    const { installLastResort } = await import(${mod('daemon/lastResort.js')});
    const { createLogger } = await import(${mod('log.js')});
    installLastResort(createLogger('info'));
    ${body}
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`script hung:\n${stderr}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

function oneJsonLine(stderr: string): Record<string, unknown> {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `exactly one line on stderr:\n${stderr}`);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe('last-resort handler', () => {
  it('an uncaught exception in a timer: one fatal JSON line with the stack, exit non-zero', async () => {
    const r = await runScript(
      `setTimeout(() => { throw new TypeError('boom in a timer'); }, 1); setTimeout(() => console.log('still alive'), 5000);`,
    );
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '', 'exited before the later timer');
    const line = oneJsonLine(r.stderr);
    assert.equal(line.level, 'fatal');
    assert.equal(line.origin, 'uncaughtException');
    const err = line.err as { type: string; message: string; stack: string };
    assert.equal(err.type, 'TypeError');
    assert.equal(err.message, 'boom in a timer');
    assert.match(err.stack, /boom in a timer\n\s+at /);
  });

  it('an unhandled rejection: one fatal JSON line, exit non-zero', async () => {
    const r = await runScript(`Promise.reject(new Error('nobody awaited me')); setTimeout(() => console.log('still alive'), 5000);`);
    assert.notEqual(r.code, 0);
    const line = oneJsonLine(r.stderr);
    assert.equal(line.level, 'fatal');
    assert.equal(line.origin, 'unhandledRejection');
    assert.equal((line.err as { message: string }).message, 'nobody awaited me');
  });
});
