/**
 * `npm run build`, last step: bundles the compiled CLI (dist/src, from tsc) with esbuild
 * into ONE flat folder, dist/bundle/, which bin/segcov.js runs (through bin/loadBundle.js).
 * Start-up then reads one file instead of some three hundred (yargs, pino, prom-client and
 * their dependencies), and compiles next to nothing of it: a V8 code cache, made by a
 * training run at the end of the build, is beside it.
 *
 * - main.cjs, one CommonJS file: what is loaded with `await import()` (the daemon, each
 *   subcommand, the import tools, live mode) is evaluated only when first imported.
 *   import.meta.url, which segcov uses to find files beside itself, is the bundle's URL.
 * - Optional packages (pg and pg-native, bcryptjs) stay in node_modules.
 * - The worker entries (WORKERS: dist/src/outputs/http/passwordWorker.js, the password
 *   checks') are bundled apart (ES modules, for worker threads) as dist/bundle/NAME.js: their
 *   users find them by `new URL('./NAME.js', import.meta.url)`.
 * - string-width and @opentelemetry/api are evaluated on first use only (see LAZY).
 * - yargs finds its package and translations relative to its own file; both are pointed
 *   at the bundle (package root two folders up, translations copied beside it).
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundlePage } from './bundlePage.js';

/** The compiled tree this file is part of (dist/, or a private --outDir): it runs as dist/scripts/bundle.js. */
const outRoot = fileURLToPath(new URL('../', import.meta.url));
const compiled = path.join(outRoot, 'src');
/** The package folder, which esbuild names inputs relative to. */
const root = process.cwd();
const BUNDLE_DIR = path.join(outRoot, 'bundle');

/** Packages loaded from node_modules at run time, never inlined. */
const EXTERNAL = ['pg', 'pg-native', 'bcryptjs'];

/** Worker-thread entries (compiled files under src/), each bundled apart under its name. */
const WORKERS: Readonly<Record<string, string>> = {
  passwordWorker: path.join('outputs', 'http', 'passwordWorker.js'),
};

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
      text = replaceOnce(
        text,
        "__dirname.substring(0, __dirname.lastIndexOf('node_modules'))",
        "fileURLToPath(new URL('../../', import.meta.url))",
        args.path,
      );
      text = replaceOnce(
        text,
        "resolve(__dirname, '../../../locales')",
        `fileURLToPath(new URL('./${YARGS_LOCALES}/', import.meta.url))`,
        args.path,
      );
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * prom-client's index requires its Pushgateway client at once, and with it Node's http,
 * https (tls and the crypto internals) and zlib: some 8 ms of every start, for a class segcov
 * never uses (a daemon that serves loads http itself, later). The export becomes a getter,
 * so the bundled module is evaluated on first use only.
 */
const promClientPushgateway: Plugin = {
  name: 'prom-client-pushgateway',
  setup(b) {
    b.onLoad({ filter: /[\\/]prom-client[\\/]index\.js$/ }, (args) => {
      const text = replaceOnce(
        readFileSync(args.path, 'utf8'),
        "exports.Pushgateway = require('./lib/pushgateway');",
        "Object.defineProperty(exports, 'Pushgateway', { enumerable: true, get: () => require('./lib/pushgateway') });",
        args.path,
      );
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
  if (kind === 'default function')
    return `let real;\n${load}\nexport default function lazyDefault(...args) {\n  return load().default(...args);\n}\n`;
  return `let real;\n${load}\nmodule.exports = new Proxy({}, {\n  get: (_t, k) => load()[k],\n  has: (_t, k) => k in load(),\n  ownKeys: () => Reflect.ownKeys(load()),\n  getOwnPropertyDescriptor: (_t, k) => { const d = Object.getOwnPropertyDescriptor(load(), k); return d && { ...d, configurable: true }; },\n});\n`;
}

const lazyModules: Plugin = {
  name: 'lazy-modules',
  setup(b) {
    const escapeRegex = (name: string): string => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const filter = new RegExp(`^(${Object.keys(LAZY).map(escapeRegex).join('|')})$`);
    b.onResolve({ filter }, async (args) => {
      if ((args.pluginData as { real?: boolean } | undefined)?.real === true) return undefined;
      const real = await b.resolve(args.path, {
        resolveDir: args.resolveDir,
        kind: args.kind,
        importer: args.importer,
        pluginData: { real: true },
      });
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

/** What every build of the bundle shares. */
const COMMON: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  plugins: [yargsPaths, lazyModules, promClientPushgateway],
  sourcemap: true,
  // whitespace and syntax only: names stay, so stack traces in logs still read
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};

async function bundle(): Promise<void> {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const result = await build({
    ...COMMON,
    entryPoints: { main: path.join(compiled, 'cli', 'main.js') },
    outdir: BUNDLE_DIR,
    outExtension: { '.js': '.cjs' },
    // one CommonJS file: what `await import()` loads (the daemon, each subcommand, the import
    // tools, live mode) is evaluated when first imported, and the code cache covers it all
    format: 'cjs',
    define: { 'import.meta.url': '__segcovBundleUrl' },
    banner: { js: "const __segcovBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    metafile: process.env.SEGCOV_BUNDLE_META !== undefined,
  });
  // SEGCOV_BUNDLE_META=FILE: what the bundle holds, for `npx esbuild --analyze`-style reading
  if (result.metafile !== undefined) writeFileSync(String(process.env.SEGCOV_BUNDLE_META), JSON.stringify(result.metafile));
  // the worker entries, found beside the bundle (new URL('./NAME.js', import.meta.url))
  for (const [name, file] of Object.entries(WORKERS)) {
    const worker = path.join(compiled, file);
    if (!existsSync(worker)) throw new Error(`bundle: worker entry ${worker} is missing (was it compiled?)`);
    await build({
      ...COMMON,
      entryPoints: { [name]: worker },
      outdir: BUNDLE_DIR,
      format: 'esm',
      banner: {
        js: "import { createRequire as __segcovCreateRequire } from 'node:module'; const require = __segcovCreateRequire(import.meta.url);",
      },
    });
  }
  const yargsDir = path.dirname(createRequire(import.meta.url).resolve('yargs/package.json'));
  cpSync(path.join(yargsDir, 'locales'), path.join(BUNDLE_DIR, YARGS_LOCALES), { recursive: true });
  if (!existsSync(path.join(BUNDLE_DIR, 'main.cjs'))) throw new Error(`bundle: ${BUNDLE_DIR}/main.cjs was not written`);
  // a function compiled from the code cache cannot run import() (Node 20 drops its loader
  // there): what the bundle loads at run time from node_modules it require()s
  const dynamic = /(?<![\w$.])import\(\s*["'`]([^"'`]+)/.exec(readFileSync(path.join(BUNDLE_DIR, 'main.cjs'), 'utf8'));
  if (dynamic !== null) throw new Error(`bundle: main.cjs has a dynamic import of ${dynamic[1]}: load it with createRequire instead`);
}

/**
 * The code cache bin/loadBundle.js loads beside the bundle: V8's compiled code of what a
 * `--run-once` on a small store of two hours runs (flags, logging, metrics, the daemon, a
 * pass, the map), made by this Node. Written by a child process, in a temporary folder.
 */
function trainCodeCache(): void {
  const tmp = mkdtempSync(path.join(tmpdir(), 'segcov-bundle-'));
  try {
    const base = path.join(tmp, 'store');
    for (const hour of ['2026-01-01T00', '2026-01-01T01']) {
      const dir = path.join(base, 'train', 'source', hour);
      mkdirSync(dir, { recursive: true });
      for (let s = 0; s < 3600; s += 2) {
        const mm = String(Math.floor(s / 60)).padStart(2, '0');
        const ss = String(s % 60).padStart(2, '0');
        writeFileSync(path.join(dir, `${mm}:${ss}.000000-2.000000-full-AAAA.ts`), '');
      }
    }
    const loader = pathToFileURL(path.join(root, 'bin', 'loadBundle.js')).href;
    const args = [
      'train',
      '--base-dir',
      base,
      '--output-dir',
      path.join(tmp, 'out'),
      '--run-once',
      '--metrics-port',
      '0',
      '--log-level',
      'error',
    ];
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { trainCodeCache } from ${JSON.stringify(loader)}; await trainCodeCache(${JSON.stringify(args)});`,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`bundle: the code cache's training run failed (${r.status ?? r.signal}):\n${r.stderr}`);
    if (!existsSync(path.join(BUNDLE_DIR, 'main.cjs.cache'))) throw new Error('bundle: the training run wrote no code cache');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// first: the server's compiled code imports the page's script, and the CLI bundle takes it in
await bundlePage(root, compiled);
await bundle();
trainCodeCache();
