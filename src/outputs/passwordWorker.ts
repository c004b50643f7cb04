/**
 * Worker-thread entry of the password checks: compares a password with a bcrypt hash off
 * the main thread (a check costs tens of ms of CPU at cost 10, by design) and posts back
 * whether they match.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { PasswordReply, PasswordRequest } from './passwordChecks.js';

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
