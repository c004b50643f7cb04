#!/usr/bin/env node
// SIGUSR1 would make Node open its inspector on 127.0.0.1:9229 (Node 20 has no
// --disable-sigusr1): a listener, installed before anything else, keeps it shut.
process.on('SIGUSR1', () => {});
// The built CLI lives in dist/ (built by `npm ci` through the prepare script).
import('../dist/src/cli/main.js').then((m) => m.runFromProcess()).catch((err) => {
  process.stderr.write(`segcov: cannot start: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
