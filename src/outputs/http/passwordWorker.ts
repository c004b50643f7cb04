/**
 * Worker-thread entry of the password checks: compares a password with a bcrypt hash off
 * the main thread (a check costs tens of ms of CPU at cost 10, by design) and posts back
 * whether they match.
 */
import { readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { PasswordReply, PasswordRequest } from './passwordChecks.js';

/**
 * Password checks yield to the main thread (scrapes, the page), but are not starved: at nice
 * 19 a host busy with other work left a first login unanswered past the 60 s idle close.
 * On Linux each thread has its own nice value, set through its id.
 */
const CHECK_NICE = 10;

function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, CHECK_NICE);
  } catch {
    // not Linux (or no /proc): the thread keeps the process's priority
  }
}

lowerPriority();

// require, as the main thread did: bcryptjs stays a package in node_modules, beside the bundle too
const { compareSync } = createRequire(import.meta.url)('bcryptjs') as typeof import('bcryptjs');

parentPort?.on('message', (req: PasswordRequest) => {
  let reply: PasswordReply;
  try {
    reply = { id: req.id, ok: compareSync(req.password, req.hash) };
  } catch (e) {
    reply = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort?.postMessage(reply);
});
