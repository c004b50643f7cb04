#!/usr/bin/env node
// SIGUSR1 would make Node open its inspector on 127.0.0.1:9229 (Node 20 has no
// --disable-sigusr1): a listener, installed before anything else, keeps it shut.
process.on('SIGUSR1', () => {});
// SIGHUP would end the daemon while it starts: it is held here until the daemon handles it
// (as a reload). Subcommands (the names in src/cli/commands/index.ts) keep Node's default:
// for them SIGHUP is a hangup.
const SUBCOMMANDS = ['chunk', 'fill', 'verify', 'check', 'report'];
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
let hangup = false;
const holdHangup = () => { hangup = true; };
const holding = !SUBCOMMANDS.includes(command);
if (holding) process.on('SIGHUP', holdHangup);
const releaseHangup = () => {
  process.off('SIGHUP', holdHangup);
  return hangup;
};
// The CLI bundled by `npm run build` (tsc, then esbuild into dist/bundle/; `npm ci` builds
// it through the prepare script), loaded with its code cache. No fallback to the unbundled
// dist/src: what runs is what the tests ran.
import('./loadBundle.js').then(({ loadBundle }) => loadBundle().exports.runFromProcess(holding ? releaseHangup : undefined)).catch((err) => {
  const missing = err && err.code === 'ENOENT' && String(err.message).includes('main.cjs');
  process.stderr.write(missing
    ? 'segcov: cannot start: dist/bundle/main.cjs is missing; build it with `npm run build`\n'
    : `segcov: cannot start: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
