/**
 * `npm run build`, in the bundle step: the status page's script, src/web/page/ (checked by
 * its own tsconfig), bundled by esbuild from the TypeScript into one inline script, written
 * with its CSP hash as the module the server imports (declared by
 * src/web/page/pageScript.generated.d.ts). It goes into the compiled tree, where tsc's
 * output (dist/src, the tests) imports it and the CLI bundle then takes it in.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the module goes, under the compiled tree's src/. */
export const PAGE_SCRIPT_MODULE = path.join('web', 'page', 'pageScript.generated.js');

/** Bundles `root`/src/web/page/main.ts; writes the module under `compiled` (dist/src). Returns the script. */
export async function bundlePage(root: string, compiled: string): Promise<string> {
  const pageDir = path.join(root, 'src', 'web', 'page');
  const result = await build({
    entryPoints: [path.join(pageDir, 'main.ts')],
    tsconfig: path.join(pageDir, 'tsconfig.json'),
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    // whitespace and syntax only: names stay, so the browser's console still reads
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('bundle: esbuild wrote no page script');
  // the script is inlined in a <script> element: nothing in it may end (or comment out) the element
  const bad = /<\/script|<!--/i.exec(script);
  if (bad !== null) throw new Error(`bundle: the page script contains ${JSON.stringify(bad[0])}, which would end its <script> element`);
  const hash = `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
  const out = path.join(compiled, PAGE_SCRIPT_MODULE);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `// Written by npm run build (scripts/bundlePage.ts) from src/web/page/: do not edit.\n` +
      `export const PAGE_SCRIPT = ${JSON.stringify(script)};\nexport const PAGE_SCRIPT_HASH = ${JSON.stringify(hash)};\n`,
  );
  return script;
}
