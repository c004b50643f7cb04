#!/usr/bin/env node
// The built CLI lives in dist/ (built by `npm ci` through the prepare script).
import('../dist/src/cli/main.js').then((m) => m.runFromProcess()).catch((err) => {
  process.stderr.write(`segcov: cannot start: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
