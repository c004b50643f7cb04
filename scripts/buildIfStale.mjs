// `npm run demo`: runs `npm run build` only when the build is missing or older than what it
// is built from. `npm ci` builds through `prepare`, so `npm ci && npm run demo` builds once.
// Plain JavaScript, run from the package folder: it must work before anything is compiled.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the build reads, relative to the package folder. */
const INPUTS = ['src', 'scripts', 'bin', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** The build's last output: the code cache that the bundle's training run writes. */
const STAMP = path.join('dist', 'bundle', 'main.cjs.cache');

/** The newest modification time (ms) of a file or of anything under a folder; 0 when missing. */
function newest(p) {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const name of readdirSync(p)) t = Math.max(t, newest(path.join(p, name)));
  return t;
}

/** Why the build in `root` must run again, or null when it is up to date. */
export function staleReason(root) {
  let built;
  try {
    built = statSync(path.join(root, STAMP)).mtimeMs;
  } catch {
    return `${STAMP} is missing`;
  }
  for (const input of INPUTS) if (newest(path.join(root, input)) > built) return `${input} changed since the last build`;
  return null;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const reason = staleReason(process.cwd());
  if (reason !== null) {
    process.stdout.write(`building: ${reason}\n`);
    const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
}
