#!/usr/bin/env node
// SIGUSR1 would make Node open its inspector on 127.0.0.1:9229 (Node 20 has no
// --disable-sigusr1): a listener, installed before anything else, keeps it shut.
process.on('SIGUSR1', () => {});
// SIGHUP would end the daemon while it starts: it is held here until the CLI knows the
// command. The daemon then handles it (as a reload); a subcommand lets it end the process.
let hangup = false;
const holdHangup = () => {
  hangup = true;
};
process.on('SIGHUP', holdHangup);
const releaseHangup = () => {
  process.off('SIGHUP', holdHangup);
  return hangup;
};
// The CLI bundled by `npm run build` (tsc, then esbuild into dist/bundle/; `npm ci` builds
// it through the prepare script), loaded with its code cache. No fallback to the unbundled
// dist/src: what runs is what the tests ran.
import('./loadBundle.js')
  .then(({ loadBundle }) => loadBundle().exports.runFromProcess(releaseHangup))
  .catch((err) => {
    const missing = err && err.code === 'ENOENT' && String(err.message).includes('main.cjs');
    process.stderr.write(
      missing
        ? 'segcov: cannot start: dist/bundle/main.cjs is missing; build it with `npm run build`\n'
        : `segcov: cannot start: ${err?.message ? err.message : err}\n`,
    );
    process.exit(1);
  });
