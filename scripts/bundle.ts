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
 * - string-width and @opentelemetry/api are evaluated on first use only (see LAZY).
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
/** The package folder, which esbuild names inputs relative to. */
const root = process.cwd();
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
 * Packages evaluated only when first used, each import of them replaced by a stand-in that
 * `require()`s the real module then; esbuild turns that require into a lazily run part of
 * the same chunk.
 * - string-width (yargs and cliui measure text with it) builds an Intl.Segmenter and a
 *   `\p{RGI_Emoji}` regular expression when loaded: some 35 ms of every start, though only
 *   usage and error messages ever measure text. Its one export is a function.
 * - @opentelemetry/api: prom-client's process CPU metric reads the active trace span from it
 *   for exemplars, which segcov never enables. A namespace object.
 */
const LAZY: Readonly<Record<string, 'default function' | 'namespace'>> = {
  'string-width': 'default function',
  '@opentelemetry/api': 'namespace',
};

function standIn(real: string, kind: 'default function' | 'namespace'): string {
  const load = `const load = () => (real ??= require(${JSON.stringify(real)}));`;
  if (kind === 'default function') return `let real;\n${load}\nexport default function lazyDefault(...args) {\n  return load().default(...args);\n}\n`;
  return `let real;\n${load}\nmodule.exports = new Proxy({}, {\n  get: (_t, k) => load()[k],\n  has: (_t, k) => k in load(),\n  ownKeys: () => Reflect.ownKeys(load()),\n  getOwnPropertyDescriptor: (_t, k) => { const d = Object.getOwnPropertyDescriptor(load(), k); return d && { ...d, configurable: true }; },\n});\n`;
}

const lazyModules: Plugin = {
  name: 'lazy-modules',
  setup(b) {
    const escape = (name: string): string => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const filter = new RegExp(`^(${Object.keys(LAZY).map(escape).join('|')})$`);
    b.onResolve({ filter }, async (args) => {
      if ((args.pluginData as { real?: boolean } | undefined)?.real === true) return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      // named relative to the package (esbuild writes the name into the bundle), one per copy
      return { path: path.relative(root, real.path), namespace: 'lazy', pluginData: { kind: LAZY[args.path], real: real.path } };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const { kind, real } = args.pluginData as { kind: 'default function' | 'namespace'; real: string };
      return { contents: standIn(real, kind), resolveDir: path.dirname(real), loader: 'js' };
    });
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
    minifyWhitespace: true,
    minifySyntax: true,
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
