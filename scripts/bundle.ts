/**
 * `npm run build`, second step: bundles the compiled CLI (dist/src, from tsc) with esbuild
 * into ONE flat folder, dist/bundle/, which bin/segcov.js runs. Start-up then reads a few
 * files instead of some three hundred (yargs, pino, prom-client and their dependencies).
 *
 * - ESM with code splitting: what is loaded with `await import()` (the daemon, each
 *   subcommand, the import tools, live mode) stays a chunk of its own, read only when run.
 * - Native and optional packages (sharp, pg and pg-native, bcryptjs) stay in node_modules.
 * - dist/src/scan/hourWorker.js, when there, is a second entry emitted as
 *   dist/bundle/hourWorker.js: its users find it by `new URL('./hourWorker.js',
 *   import.meta.url)`, which resolves from any chunk of the same folder.
 * - string-width is evaluated on first use only (see LAZY_DEFAULT_EXPORTS).
 * - yargs finds its package and translations relative to its own file; both are pointed
 *   at the bundle (package root two folders up, translations copied beside the chunks).
 */
import { build, type Plugin } from 'esbuild';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled tree this file is part of (dist/, or a private --outDir): it runs as dist/scripts/bundle.js. */
const outRoot = fileURLToPath(new URL('../', import.meta.url));
const compiled = path.join(outRoot, 'src');
const BUNDLE_DIR = path.join(outRoot, 'bundle');

/** Packages loaded from node_modules at run time, never inlined. */
const EXTERNAL = ['sharp', 'pg', 'pg-native', 'bcryptjs'];

/** Where yargs' translations go, beside the chunks. */
const YARGS_LOCALES = 'yargs-locales';

/** Replaces `from` by `to` once; a changed yargs that no longer has it fails the build. */
function replaceOnce(text: string, from: string, to: string, file: string): string {
  if (!text.includes(from)) throw new Error(`bundle: ${file} no longer contains ${JSON.stringify(from)}: check how yargs finds its files`);
  return text.replace(from, to);
}

/**
 * yargs' ESM platform shim locates its package.json search start (for `.version()` and its
 * `yargs` package.json key) and its translations from its own file, three folders deep in
 * node_modules. In the bundle that file is a chunk of dist/bundle/.
 */
const yargsPaths: Plugin = {
  name: 'yargs-paths',
  setup(b) {
    b.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      text = replaceOnce(text, "__dirname.substring(0, __dirname.lastIndexOf('node_modules'))",
        "fileURLToPath(new URL('../../', import.meta.url))", args.path);
      text = replaceOnce(text, "resolve(__dirname, '../../../locales')",
        `fileURLToPath(new URL('./${YARGS_LOCALES}/', import.meta.url))`, args.path);
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * Packages evaluated only when first called. string-width (yargs and cliui measure text
 * with it) builds an Intl.Segmenter and a `\p{RGI_Emoji}` regular expression when loaded:
 * some 35 ms of every start, though only usage and error messages ever measure text. Each
 * import of it gets a stand-in that `require()`s the real module on the first call; esbuild
 * turns that require of an ES module into a lazily run part of the same chunk.
 */
const LAZY_DEFAULT_EXPORTS = ['string-width'];

const lazyModules: Plugin = {
  name: 'lazy-modules',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_DEFAULT_EXPORTS.join('|')})$`);
    b.onResolve({ filter }, async (args) => {
      if ((args.pluginData as { real?: boolean } | undefined)?.real === true) return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `let real;
export default function lazyDefault(...args) {
  real ??= require(${JSON.stringify(args.path)}).default;
  return real(...args);
}
`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

async function bundle(): Promise<void> {
  const entryPoints: Record<string, string> = { main: path.join(compiled, 'cli', 'main.js') };
  const worker = path.join(compiled, 'scan', 'hourWorker.js');
  if (existsSync(worker)) entryPoints.hourWorker = worker;
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const result = await build({
    entryPoints,
    outdir: BUNDLE_DIR,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]', // shared code: chunk-HASH; a lazy module: its name,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // CommonJS packages inlined into ESM (pino, prom-client) call require() for Node's own modules
    banner: { js: "import { createRequire as __segcovCreateRequire } from 'node:module'; const require = __segcovCreateRequire(import.meta.url);" },
    plugins: [yargsPaths, lazyModules],
    sourcemap: true,
    logLevel: 'warning',
    metafile: process.env.SEGCOV_BUNDLE_META !== undefined,
  });
  // SEGCOV_BUNDLE_META=FILE: what each output holds, for `npx esbuild --analyze`-style reading
  if (result.metafile !== undefined) writeFileSync(String(process.env.SEGCOV_BUNDLE_META), JSON.stringify(result.metafile));
  const yargsDir = path.dirname(createRequire(import.meta.url).resolve('yargs/package.json'));
  cpSync(path.join(yargsDir, 'locales'), path.join(BUNDLE_DIR, YARGS_LOCALES), { recursive: true });
  if (!existsSync(path.join(BUNDLE_DIR, 'main.js'))) throw new Error(`bundle: ${BUNDLE_DIR}/main.js was not written`);
}

await bundle();
