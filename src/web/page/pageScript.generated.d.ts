/**
 * The status page's one script, and its CSP hash: the modules of this folder bundled by
 * esbuild (from main.ts). Written by `npm run build` (scripts/bundlePage.ts) as
 * dist/src/web/page/pageScript.generated.js, after tsc and before the CLI bundle takes it in.
 */

/** The inline script's text, exactly as the page carries it (no `</script` inside). */
export declare const PAGE_SCRIPT: string;
/** `'sha256-…'` of PAGE_SCRIPT, for a Content-Security-Policy that allows only it. */
export declare const PAGE_SCRIPT_HASH: string;
