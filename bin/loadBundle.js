// Loads the CLI bundled by `npm run build` (dist/bundle/main.cjs) with the V8 code cache built
// beside it (main.cjs.cache): V8 then skips parsing and compiling what the training run at
// build time compiled (flags, logging, metrics, the daemon, a pass), some 15-25 ms of CPU at
// every start. A cache made by another Node or V8 is rejected by V8 and the bundle compiles
// as usual. (Node 22's module.enableCompileCache() does this for any module; Node 20 has no
// such switch, hence this loader, after the way v8-compile-cache loads CommonJS.)
import { hash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url));
export const CODE_CACHE = `${BUNDLE}.cache`;

/**
 * The cache file starts with the SHA-1 of the bundle it was made from: V8 checks only the
 * source's length, so a cache is used with exactly the source it was made for.
 */
const DIGEST_BYTES = 20;
const digestOf = (source) => hash('sha1', source, 'buffer');

/**
 * Runs the bundle's top level and returns its exports, with `script` (for a new cache) and
 * whether a cache was there and V8 took it. Throws ENOENT when the bundle is not built.
 */
export function loadBundle({ useCache = true } = {}) {
  const bytes = readFileSync(BUNDLE);
  const source = bytes.toString('utf8');
  let cachedData;
  if (useCache) {
    try {
      const file = readFileSync(CODE_CACHE);
      if (file.subarray(0, DIGEST_BYTES).equals(digestOf(bytes))) cachedData = file.subarray(DIGEST_BYTES);
    } catch {
      /* none built: compile as usual */
    }
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: BUNDLE,
    cachedData,
    // no importModuleDynamically: functions compiled from a code cache lose it (Node 20), so
    // the bundle has no dynamic import() at all (the build checks; packages are require()d)
  });
  const module = { exports: {}, filename: BUNDLE, id: BUNDLE };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  return { exports: module.exports, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * The build's training run: loads the bundle without a cache, runs the CLI with `args`, and
 * when the process exits writes the code cache of everything compiled meanwhile.
 */
export function trainCodeCache(args) {
  const { exports, script } = loadBundle({ useCache: false });
  const digest = digestOf(readFileSync(BUNDLE));
  process.on('exit', () => writeFileSync(CODE_CACHE, Buffer.concat([digest, script.createCachedData()])));
  process.argv = [process.argv[0], path.join(path.dirname(BUNDLE), '..', '..', 'bin', 'segcov.js'), ...args];
  return exports.runFromProcess();
}
